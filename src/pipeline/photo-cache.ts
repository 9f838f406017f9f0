// The decoded photo and its face analysis, kept for the last few photos: the buttons under a result ("Another
// take", "Other template", "In another format") render the same photo again, and each time the decode and face
// analysis gave the same answer. Keyed by the photo's bytes and the working size; entries are read-only.
import { createHash } from 'node:crypto';
import { type BoundedCache, boundedCache } from '../bounded-cache.ts';
import type { Face, RgbImage } from './types.ts';

export interface AnalysedPhoto {
  /** The photo at the working size (frames have its size). */
  readonly image: RgbImage;
  /** Every human face found, largest first (at least one). */
  readonly faces: readonly Face[];
  /** The photo as decoded, full resolution (HelloMeme crops its face from it); `image` itself when not shrunk. */
  readonly source: RgbImage;
}

export class PhotoCache {
  readonly #entries: BoundedCache<string, Promise<AnalysedPhoto>>;

  constructor(maxEntries = 8) {
    this.#entries = boundedCache({ maxEntries });
  }

  static keyOf(photo: Buffer, maxSide: number): string {
    return `${createHash('sha256').update(photo).digest('hex')}:${maxSide}`;
  }

  /**
   * The cached analysis for `key`, or the one `analyse` makes (shared with anyone asking meanwhile). A failure
   * is not kept: the next request tries again, and the same bad input gets the same coded error.
   */
  get(key: string, analyse: () => Promise<AnalysedPhoto>): Promise<AnalysedPhoto> {
    const cached = this.#entries.get(key);
    if (cached) return cached;
    const made = analyse();
    this.#entries.set(key, made);
    made.catch(() => {
      if (this.#entries.peek(key) === made) this.#entries.delete(key);
    });
    return made;
  }
}
