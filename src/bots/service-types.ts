// The contract between platform adapters (telegram/, discord/, web/) and the platform-neutral service.
// Adapters turn chat events into MemeRequests and implement Replier; they never see the queue or pipeline.
import type { InputLimits } from '../config.ts';
import type { ErrorCode } from '../errors.ts';
import type { ReplyRoute } from '../jobs/job-backend.ts';
import type { FaceChoice } from '../pipeline/face/face-choice.ts';
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
  /**
   * false: no preview first, even where `auto` means HelloMeme (the adapter cannot replace this message in place,
   * or its server turned the upgrade off). Default: a preview that upgrades itself where the bot allows it.
   */
  upgrade?: boolean;
  /** Which faces of a group photo move (default all); the pickers' numbers are PhotoFacts.faces' order. */
  face?: FaceChoice;
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
/** How the HD stage of a previewed request ended without an HD result: the preview stays, with this note. */
export type PreviewKept =
  | (JobRef & { reason: 'kept' })
  | (JobRef & { reason: 'failed'; code: ErrorCode; text: string });

/**
 * A Replier that can show a preview and later replace it in place (bots/upgrade/). Every call names the request
 * by the id `submit` returned; the service calls deliverPreview, then hdProgress any number of times, then
 * exactly one of upgrade or keepPreview. An adapter without these gets one message, as before.
 */
export interface UpgradingReplier extends Replier {
  /** The fast (warp) result, marked as a preview whose HD version is on the way; resolves once it is in the chat. */
  deliverPreview(result: MemeResult, job: JobRef): Promise<void>;
  /** The HD job's place in line or progress, shown on the preview itself (paced; never a new message). */
  hdProgress(update: ProgressUpdate): void;
  /** Replaces the preview, in the same message, with the HD result. */
  upgrade(result: MemeResult, job: JobRef): Promise<void>;
  /** The HD stage failed or was cancelled ("Keep this one"): the preview stays and says so. */
  keepPreview(outcome: PreviewKept): Promise<void>;
}

export function canUpgrade(replier: Replier): replier is UpgradingReplier {
  const r = replier as Partial<UpgradingReplier>;
  return typeof r.deliverPreview === 'function' && typeof r.upgrade === 'function' && typeof r.keepPreview === 'function';
}

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
  /**
   * "Keep this one": stops the HD stage of a previewed request, whose preview then stays as the result; false when
   * the request has no HD stage under way.
   */
  keepPreview(jobId: string): boolean;
  /** Cancels the user's active job, if any. */
  cancelForUser(userId: string): boolean;
  /** Renders the same request again with a new seed. */
  reroll(jobId: string, replier: Replier): Promise<JobRef>;
  shutdown(graceMs?: number): Promise<void>;
}
