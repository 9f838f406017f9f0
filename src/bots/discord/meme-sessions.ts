// Remembers what each meme message was made from, so its buttons (Another take, Other template, MP4,
// Cancel) can act later: the adapters' follow-up type in their FollowUps store (bots/follow-up.ts), bounded and
// kept a day; holds the photo's URL, never its bytes.
import { randomBytes } from 'node:crypto';
import { type FollowUp, type FollowUpRequest, FollowUps } from '../follow-up.ts';
import type { MemeRequest } from '../service-types.ts';
import type { RemoteFile } from './option-parsing.ts';
import type { OriginalReply } from './original-reply.ts';

/** Who asked and where a Discord answer may go: the follow-up's platform data. */
export interface DiscordPlace {
  /** Discord user id of the requester: only they may press the buttons. */
  ownerId: string;
  /** The server whose admin settings apply (it installed the bot); null in DMs and where only a user install reaches. */
  guildId: string | null;
  /** Where a late result may be posted as the bot itself; null when the answer must stay on the webhook. */
  channelId: string | null;
  /** Answers go through the interaction webhook only (user install, DMs, group DMs): see install-place.ts. */
  webhookOnly: boolean;
}

/** A Discord request keeps the format its command asked for (the MP4 button makes a session of its own). */
export type DiscordRequest = FollowUpRequest & Pick<MemeRequest, 'format'>;

/**
 * The follow-up (bots/follow-up.ts) a Discord meme message's buttons refer to, by `key`: the photo and clip as
 * attachment URLs (re-downloaded when needed), the requester's Discord locale (e.g. `en-US`) as `language`, and
 * what this process alone knows of the job under way (cancelled, its progress edits, its hand-over).
 */
export interface MemeSession extends FollowUp<RemoteFile, DiscordPlace, DiscordRequest> {
  key: string;
  /** How many faces of the photo can be chosen (the check's count); a face select is offered from 2. */
  faceCount?: number;
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
  readonly #byKey: FollowUps<MemeSession>;

  constructor(private readonly nowMs: () => number = Date.now) {
    this.#byKey = new FollowUps({ maxEntries: MAX_SESSIONS, ttlMs: SESSION_TTL_MS, now: nowMs });
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
