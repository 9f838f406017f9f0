// The one bounded LRU (src/bounded-cache.ts) every in-memory cache uses: by entries, by bytes, by age.
import { describe, expect, it } from 'vitest';
import { boundedCache } from '../../src/bounded-cache.ts';

describe('boundedCache', () => {
  it('keeps at most maxEntries, dropping the least recently used (a read counts as use)', () => {
    const cache = boundedCache<string, { n: number }>({ maxEntries: 2 });
    cache.set('a', { n: 1 });
    cache.set('b', { n: 2 });
    expect(cache.get('a')).toEqual({ n: 1 });
    cache.set('c', { n: 3 });
    expect([...cache.keys()].sort()).toEqual(['a', 'c']);
  });

  it('keeps at most maxBytes as bytesOf weighs them; a value over the whole budget is not kept', () => {
    const cache = boundedCache<string, Buffer>({ maxBytes: 100, bytesOf: (b) => b.length });
    cache.set('a', Buffer.alloc(40));
    cache.set('b', Buffer.alloc(40));
    cache.set('c', Buffer.alloc(40));
    expect([...cache.keys()].sort()).toEqual(['b', 'c']);
    expect(cache.calculatedSize).toBe(80);
    cache.set('huge', Buffer.alloc(101));
    expect(cache.has('huge')).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('forgets an entry ttlMs after it was stored, on the caller\'s clock; reading does not renew it', () => {
    let now = 1_000;
    const cache = boundedCache<string, { n: number }>({ maxEntries: 10, ttlMs: 500, now: () => now });
    cache.set('a', { n: 1 });
    now += 400;
    expect(cache.get('a')).toEqual({ n: 1 });
    now += 100;
    expect(cache.get('a')).toEqual({ n: 1 });
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing when a bound is zero (memeloom bench times every render afresh with photoCacheEntries 0)', () => {
    for (const bounds of [{ maxEntries: 0 }, { maxBytes: 0, bytesOf: (b: Buffer) => b.length }]) {
      const cache = boundedCache<string, Buffer>(bounds);
      cache.set('a', Buffer.alloc(1));
      expect(cache.size).toBe(0);
      expect(cache.get('a')).toBeUndefined();
    }
  });

  it('refuses to be unbounded', () => {
    expect(() => boundedCache({ ttlMs: 1000 })).toThrow(/maxEntries or maxBytes/);
  });
});
