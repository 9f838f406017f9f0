// The contract between platform adapters (telegram/, discord/, web/) and the platform-neutral service.
// Adapters turn chat events into MemeRequests and implement Replier; they never see the queue or pipeline.
import type { InputLimits } from '../config.ts';
import type { ErrorCode } from '../errors.ts';
import type { ReplyRoute } from '../jobs/job-backend.ts';
import type { ClipFacts, PhotoFacts } from '../pipeline/input-inspector.ts';
import type { Captions, EngineName, MemeResult } from '../pipeline/meme-spec.ts';
import type { OutputFit, OutputFormat, StageName } from '../pipeline/types.ts';
import type { TemplateCatalog } from '../templates/template-types.ts';

export type Platform = 'telegram' | 'discord' | 'web' | 'cli';

export interface MemeRequest {
  platform: Platform;
  /** Platform-scoped user id, e.g. `telegram:1234`; limits and fairness are per user. */
  userId: string;
  photo: Buffer;
  /** The MIME type the platform claimed; the service sniffs the bytes anyway. */
  photoMime?: string;
  templateId?: string;
  /** A custom driving clip (video or GIF bytes). */
  driver?: { bytes: Buffer; mime?: string };
  /** What the person typed; none typed means the template's default caption (templates/default-captions.ts). */
  captions?: Captions;
  /** No caption at all, not even the template's default. */
  noCaption?: boolean;
  format: OutputFormat;
  /** The platform's upload limit for the result. */
  maxBytes?: number;
  /** What the platform requires of the picture (side, seconds, fps), e.g. a Telegram video sticker's. */
  fit?: OutputFit;
  /** Previews run in the CPU lane before full renders. */
  priority?: 'preview' | 'full';
  engine?: EngineName | 'auto';
  seed?: number;
  /** A LoRA style id or HelloMeme preset name (HelloMeme only); the service normalises it to the id. */
  style?: string;
  /** The requester's language tag (e.g. `en-US`): the service writes their failure texts in it. */
  language?: string;
}

export interface JobRef {
  jobId: string;
}

export interface ProgressUpdate extends JobRef {
  /** 1-based place in the queue while waiting. */
  position?: number;
  stage?: StageName;
  /** 0..1 over the whole job while running. */
  fraction?: number;
  etaSec?: number;
}

export interface JobFailure extends JobRef {
  code: ErrorCode;
  /** Already the user-facing text from bots/messages.ts. */
  text: string;
}

/** How the service talks back to one requester; each adapter implements it over its platform. */
export interface Replier {
  queued(update: ProgressUpdate): Promise<void> | void;
  progress(update: ProgressUpdate): Promise<void> | void;
  deliver(result: MemeResult, job: JobRef): Promise<void>;
  fail(failure: JobFailure): Promise<void>;
}

/** A Replier that can say how to find its requester again; adapters opt in, others get `{ platform }`. */
export type RoutableReplier = Replier & { route?: ReplyRoute };

/** Re-creates a Replier from a stored route, one per platform (registered by the composition root). */
export type ReplierFactory = (route: ReplyRoute, jobId: string) => Replier;

/** What arrived from a person, checked before they are asked anything (template picker, options). */
export interface InputsToCheck {
  photo?: Buffer;
  clip?: Buffer;
}

export interface CheckedInputs {
  photo?: PhotoFacts;
  /** `trimmed`: longer than the limit, so only its first seconds are used; tell the person (clipTrimmedText). */
  clip?: ClipFacts;
}

export interface MemeService {
  /** What people may send (config's one set of limits): adapters check sizes against it before downloading. */
  readonly limits: InputLimits;
  /** The templates people pick from (the catalog the service renders with). */
  readonly templates: TemplateCatalog;
  /**
   * The cheap checks, run as soon as a photo or clip arrives: bytes, file type, pixels, a readable image with a
   * face, a readable clip and its length. Rejects with the InputError to show (its text states the limit).
   */
  inspect(inputs: InputsToCheck): Promise<CheckedInputs>;
  /** Validates and enqueues; rejects with a MemeError (QUEUE_FULL, RATE_LIMITED, NOT_AN_IMAGE, ...) when it cannot. */
  submit(request: MemeRequest, replier: Replier): Promise<JobRef>;
  /** Cancels a queued or running job; false when there was none. */
  cancel(jobId: string): boolean;
  /** Cancels the user's active job, if any. */
  cancelForUser(userId: string): boolean;
  /** Renders the same request again with a new seed. */
  reroll(jobId: string, replier: Replier): Promise<JobRef>;
  shutdown(graceMs?: number): Promise<void>;
}
