// Remembers what each meme message was made from, so its buttons (Another take, Other template, MP4,
// Cancel) can act later. Bounded and time-limited (bounded-cache.ts); holds the photo's URL, never its bytes.
import { randomBytes } from 'node:crypto';
import { type BoundedCache, boundedCache } from '../../bounded-cache.ts';
import type { MemeRequest } from '../service-types.ts';
import type { RemoteFile } from './option-parsing.ts';
import type { OriginalReply } from './original-reply.ts';

export interface MemeSession {
  key: string;
  /** Discord user id of the requester: only they may press the buttons. */
  ownerId: string;
  /** The server whose admin settings apply (it installed the bot); null in DMs and where only a user install reaches. */
  guildId: string | null;
  /** Where a late result may be posted as the bot itself; null when the answer must stay on the webhook. */
  channelId: string | null;
  /** Answers go through the interaction webhook only (user install, DMs, group DMs): see install-place.ts. */
  webhookOnly: boolean;
  /** The requester's Discord locale (e.g. `en-US`), for bots/messages.ts. */
  language?: string;
  photo: RemoteFile;
  driver?: RemoteFile;
  /** How many faces of the photo can be chosen (the check's count); a face select is offered from 2. */
  faceCount?: number;
  /** The request minus the photo/driver bytes (re-downloaded when needed). */
  request: Omit<MemeRequest, 'photo' | 'driver'>;
  jobId?: string;
  /** Set when the requester pressed Cancel, so the job's late failure does not post again. */
  cancelled?: boolean;
  /** Stops the progress edits of the message this session's job is updating. */
  stopUpdates?: () => Promise<void>;
  /** "Show my meme": a fresh interaction takes the job's reply over (webhook-only replies past their token). */
  takeOver?: (reply: OriginalReply, receivedAtMs: number) => Promise<boolean>;
  createdAtMs: number;
}

const SESSION_TTL_MS = 24 * 60 * 60_000;
const MAX_SESSIONS = 2_000;

export class MemeSessions {
  readonly #byKey: BoundedCache<string, MemeSession>;

  constructor(private readonly nowMs: () => number = Date.now) {
    this.#byKey = boundedCache({ maxEntries: MAX_SESSIONS, ttlMs: SESSION_TTL_MS, now: nowMs });
  }

  create(fields: Omit<MemeSession, 'key' | 'createdAtMs'>): MemeSession {
    const session: MemeSession = { ...fields, key: randomBytes(6).toString('base64url'), createdAtMs: this.nowMs() };
    this.#byKey.set(session.key, session);
    return session;
  }

  /**
   * A session found again after a restart, under the key its messages' buttons carry (the job's route kept it), so
   * "Keep this one" and the other buttons under a message sent before the restart still work.
   */
  restore(key: string, fields: Omit<MemeSession, 'key' | 'createdAtMs'>): MemeSession {
    const session: MemeSession = { ...fields, key, createdAtMs: this.nowMs() };
    this.#byKey.set(key, session);
    return session;
  }

  get(key: string): MemeSession | undefined {
    return this.#byKey.get(key);
  }

  get size(): number {
    return this.#byKey.size;
  }
}
