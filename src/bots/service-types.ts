// The contract between platform adapters (telegram/, discord/, web/) and the platform-neutral service.
// Adapters turn chat events into MemeRequests and implement Replier; they never see the queue or pipeline.
import type { ErrorCode } from '../errors.ts';
import type { Captions, EngineName, MemeResult } from '../pipeline/meme-spec.ts';
import type { OutputFormat, StageName } from '../pipeline/types.ts';

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
  captions?: Captions;
  format: OutputFormat;
  /** The platform's upload limit for the result. */
  maxBytes?: number;
  /** Previews run in the CPU lane before full renders. */
  priority?: 'preview' | 'full';
  engine?: EngineName | 'auto';
  seed?: number;
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

export interface MemeService {
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
