// The photos each user sent the bot, for inline mode: `@bot smug` applies a template to the user's most recent
// photo. Each photo gets a short key that fits in an inline result id (Telegram: 1-64 bytes), so the photo a
// result was listed for is the one rendered, even if another arrives before the user picks. Memory only, bounded.
import { createHash } from 'node:crypto';
import { boundedCache } from '../../bounded-cache.ts';
import type { FileRef } from './telegram-files.ts';

interface KeyedPhoto {
  /** 11 characters of base64url: short, and the same for the same file. */
  key: string;
  photo: FileRef;
}

const MAX_USERS = 5000;

export class RecentPhotos {
  readonly #latest = boundedCache<string, KeyedPhoto>({ maxEntries: MAX_USERS });
  readonly #byKey = boundedCache<string, FileRef>({ maxEntries: MAX_USERS * 2 });

  /** `userId` is `telegram:<id>`. */
  remember(userId: string, photo: FileRef): void {
    const key = createHash('sha256').update(photo.uniqueId).digest('base64url').slice(0, 11);
    this.#latest.set(userId, { key, photo });
    this.#byKey.set(`${userId}|${key}`, photo);
  }

  latest(userId: string): KeyedPhoto | undefined {
    return this.#latest.get(userId);
  }

  /** A photo this user sent, by the key an inline result carried. */
  byKey(userId: string, key: string): FileRef | undefined {
    return this.#byKey.get(`${userId}|${key}`);
  }
}
