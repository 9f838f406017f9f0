// Recent requests by job id, kept in memory so reroll and "same again as MP4" can re-render without a re-upload.
// Bounded by count, total bytes and age; photos here are never written to disk.
import type { MemeRequest } from './service-types.ts';

interface Entry {
  request: MemeRequest;
  bytes: number;
  storedAtMs: number;
}

export class RecentRequests {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(options: { maxEntries: number; maxBytes: number; ttlMs: number; now?: () => number }) {
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  remember(jobId: string, request: MemeRequest): void {
    const bytes = request.photo.length + (request.driver?.bytes.length ?? 0);
    this.#entries.set(jobId, { request, bytes, storedAtMs: this.#now() });
    this.#bytes += bytes;
    for (const [oldId, old] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#drop(oldId, old);
    }
  }

  get(jobId: string): MemeRequest | undefined {
    const entry = this.#entries.get(jobId);
    if (!entry) return undefined;
    if (this.#now() - entry.storedAtMs > this.#ttlMs) {
      this.#drop(jobId, entry);
      return undefined;
    }
    return entry.request;
  }

  #drop(jobId: string, entry: Entry): void {
    this.#entries.delete(jobId);
    this.#bytes -= entry.bytes;
  }
}
