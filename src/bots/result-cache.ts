// Finished results kept in memory so a repeated request (same photo, template, engine, options, seed) is instant.
// Bounded by total bytes and age; evicts least recently used. It does not decide what makes two requests equal
// beyond the key parts the service passes in.
import { createHash } from 'node:crypto';
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

interface Entry {
  result: MemeResult;
  storedAtMs: number;
}

export class ResultCache {
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  // Map keeps insertion order; re-inserting on a hit makes the first key the least recently used.
  #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: { maxBytes: number; ttlMs: number; now?: () => number }) {
    this.#maxBytes = options.maxBytes;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get(key: string): MemeResult | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (this.#now() - entry.storedAtMs > this.#ttlMs) {
      this.#bytes -= entry.result.bytes.length;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.result;
  }

  set(key: string, result: MemeResult): void {
    const size = result.bytes.length;
    if (size > this.#maxBytes || this.#ttlMs === 0) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.result.bytes.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, { result, storedAtMs: this.#now() });
    this.#bytes += size;
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldestKey);
      this.#bytes -= oldest.result.bytes.length;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
