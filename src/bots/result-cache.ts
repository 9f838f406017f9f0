// Finished results kept in memory so a repeated request (same photo, template, engine, options, seed) is instant.
// Bounded by total bytes and age (bounded-cache.ts); evicts least recently used. It does not decide what makes two requests equal
// beyond the key parts the service passes in.
import { createHash } from 'node:crypto';
import { type BoundedCache, boundedCache } from '../bounded-cache.ts';
import type { MemeResult } from '../pipeline/meme-spec.ts';

/** A stable digest of the parts that determine a result; Buffers are hashed by content. */
export function cacheKey(parts: Record<string, string | number | Buffer | undefined | null>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(parts).sort()) {
    const value = parts[name];
    hash.update(`${name}=`);
    if (Buffer.isBuffer(value)) hash.update(createHash('sha256').update(value).digest());
    else hash.update(JSON.stringify(value ?? null));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Results by key, least recently used first out, by total bytes and age (config.cache). */
export class ResultCache {
  readonly #entries: BoundedCache<string, MemeResult> | undefined;

  constructor(options: { maxBytes: number; ttlMs: number; now?: () => number }) {
    // A TTL of 0 turns the cache off.
    this.#entries =
      options.ttlMs === 0 ? undefined : boundedCache({ maxBytes: options.maxBytes, bytesOf: (r) => r.bytes.length, ttlMs: options.ttlMs, now: options.now });
  }

  get(key: string): MemeResult | undefined {
    return this.#entries?.get(key);
  }

  set(key: string, result: MemeResult): void {
    this.#entries?.set(key, result);
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }

  get bytes(): number {
    return this.#entries?.calculatedSize ?? 0;
  }
}
