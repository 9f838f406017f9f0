// The one bounded LRU behind every in-memory cache (the service's recent requests and results, Telegram's pickers,
// sent results and file ids, Discord's meme sessions, the pipeline's decoded photos): at most `maxEntries`
// entries and `maxBytes` bytes (as `bytesOf` counts them), each entry forgotten `ttlMs` after it was stored; the
// least recently used goes first, and a value bigger than the whole byte budget is not kept. lru-cache does the
// work; this fixes the options every cache here wants: the caller's clock, read on every access (no cached
// timestamps), so expiry is exact and testable.
import { LRUCache } from 'lru-cache';

interface CacheBounds<V> {
  maxEntries?: number;
  maxBytes?: number;
  /** Required with maxBytes: what one value weighs. */
  bytesOf?: (value: V) => number;
  /** Age after which an entry is gone (from when it was stored; reading it does not renew it). */
  ttlMs?: number;
  now?: () => number;
}

export type BoundedCache<K extends {}, V extends {}> = LRUCache<K, V>;

export function boundedCache<K extends {}, V extends {}>(bounds: CacheBounds<V>): BoundedCache<K, V> {
  const { maxEntries, maxBytes, bytesOf, ttlMs, now } = bounds;
  if (maxEntries === undefined && maxBytes === undefined) throw new TypeError('a bounded cache needs maxEntries or maxBytes');
  if (maxBytes !== undefined && !bytesOf) throw new TypeError('maxBytes needs bytesOf');
  const options: LRUCache.OptionsBase<K, V, unknown> = {};
  if (maxEntries === 0 || maxBytes === 0) {
    // A bound of zero keeps nothing (a bench timing every render afresh). lru-cache reads max 0 as "no limit", so
    // every value is made heavier than a one-byte budget, which lru-cache never stores.
    return new LRUCache<K, V>({ maxSize: 1, sizeCalculation: () => 2 });
  }
  if (maxEntries !== undefined) options.max = maxEntries;
  if (maxBytes !== undefined) {
    options.maxSize = maxBytes;
    // lru-cache wants positive sizes; an empty value still takes a slot.
    options.sizeCalculation = (value) => Math.max(1, bytesOf!(value));
  }
  if (ttlMs !== undefined && ttlMs > 0) {
    options.ttl = ttlMs;
    options.ttlResolution = 0;
    if (now) options.perf = { now };
  }
  return new LRUCache<K, V>(options as LRUCache.Options<K, V, unknown>);
}
