// The one follow-up session type of the chat adapters. A later button press (Another take, Other template, another
// format, Add to my stickers, a face choice, Keep this one) refers to a FollowUp: what the person asked for
// (`request`: the service's request options without the bytes and without what each render chooses afresh), the
// photo and clip as the platform's own references (a Telegram file id, a Discord attachment URL: opaque here, the
// bytes are fetched again when a render needs them), the requester's language, and once a render answered, the
// result it refers to (`result`: its job id for a reroll or Keep this one, its seed and engine for the same take in
// another format). Everything else the platform needs to answer (its chat, channel, owner, message to reply to) is
// `place`, platform data that nothing outside the adapter reads. Follow-ups live in memory in a FollowUps store on
// the shared bounded cache (src/bounded-cache.ts): a bounded number, each for at most its platform's time to live,
// least recently used first; a job's reply route stores them, less the result, for a restarted bot (whose job
// brings its result again).
import { type BoundedCache, boundedCache } from '../bounded-cache.ts';
import type { EngineName } from '../pipeline/meme-spec.ts';
import type { OutputFormat } from '../pipeline/types.ts';
import type { MemeRequest } from './service-types.ts';

/**
 * The request options a follow-up render repeats: MemeRequest without the bytes (`photo`, `driver`: fetched again
 * from the references), the language (the follow-up's own) and the seed (the result's); the format where the
 * platform fixes it for the session (Discord's option), absent where each render chooses it (Telegram's buttons).
 */
export type FollowUpRequest = Omit<MemeRequest, 'photo' | 'driver' | 'language' | 'seed' | 'format'> & { format?: OutputFormat };

/** What a render answered with, as far as a follow-up needs it. */
export interface FollowUpResult {
  /** The job that makes or made the answer: rerolled by Another take, stopped by Cancel or Keep this one. */
  jobId?: string;
  /** The take shown, so another format or face renders the same animation. */
  seed?: number;
  /** The engine a variant must use (a kept preview: warp's); absent: as the request asked. */
  engine?: EngineName;
}

/** What a later action refers to; `FileRef` and `Place` are the platform's own (opaque to everything but its adapter). */
export interface FollowUp<FileRef, Place, Request extends FollowUpRequest = FollowUpRequest> {
  place: Place;
  photo: FileRef;
  /** A driving clip the person sent (then no template). */
  clip?: FileRef;
  /** The requester's language tag as the platform gave it (e.g. `de`, `en-US`), for bots/messages.ts. */
  language?: string;
  request: Request;
  result?: FollowUpResult;
}

interface FollowUpBounds {
  maxEntries: number;
  /** Age after which a follow-up is gone (its buttons answer "expired"); absent: only the entry bound forgets. */
  ttlMs?: number;
  now?: () => number;
}

/** An adapter's follow-ups by the key its buttons carry: bounded, least recently used first. */
export class FollowUps<F extends FollowUp<unknown, unknown>> {
  readonly #byKey: BoundedCache<string, F>;

  constructor(bounds: FollowUpBounds) {
    this.#byKey = boundedCache(bounds);
  }

  set(key: string, followUp: F): void {
    this.#byKey.set(key, followUp);
  }

  get(key: string): F | undefined {
    return this.#byKey.get(key);
  }

  delete(key: string): void {
    this.#byKey.delete(key);
  }

  get size(): number {
    return this.#byKey.size;
  }
}
