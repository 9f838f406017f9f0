// What a remote job record holds (keys into the blob store, never the bytes) and what a worker returns; how
// MemeErrors cross BullMQ's string-only failedReason. Shared by the bot side and the worker side.
import { ERROR_CODES, type ErrorCode, MemeError } from '../errors.ts';
import type { EngineName, MemeResult, MemeSpec } from '../pipeline/meme-spec.ts';
import type { JobPriority } from '../queue/queue-types.ts';
import type { ReplyRoute } from '../jobs/job-backend.ts';

export interface RemoteJobData {
  userId: string;
  engine: EngineName;
  priority: JobPriority;
  /** The spec without the photo bytes and without driverPath. */
  spec: Omit<MemeSpec, 'photo' | 'driverPath'>;
  photoBlob: string;
  driverBlob?: string;
  /** Which bot process delivers the result (MEMELOOM_INSTANCE_ID). */
  botId: string;
  /**
   * The request the job belongs to: its own id, or for the HD job of a previewed request (bots/upgrade/) the
   * preview job's, so the two stages of one request are linked in Redis too.
   */
  requestId: string;
  timeoutMs: number;
  submittedAtMs: number;
}

export interface RemoteJobResult {
  resultBlob: string;
  meta: Omit<MemeResult, 'bytes'>;
  worker: string;
}

export interface RemoteProgress {
  stage: string;
  fraction: number;
}

/** The job → requester routing a bot process keeps in Redis until the requester was answered. */
export interface StoredRoute {
  userId: string;
  engine: EngineName;
  route: ReplyRoute;
  /** The requester's language (MemeJob.language): a restarted bot's texts for the job are in it. Always written. */
  language: string | undefined;
}

/** BullMQ keeps a failure as a string; ours start with the code so the bot side can rebuild the MemeError. */
export function encodeFailure(error: MemeError): string {
  return `${error.code}: ${error.message}`;
}

export function decodeFailure(reason: string | undefined): MemeError {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(reason ?? '');
  if (match && (ERROR_CODES as readonly string[]).includes(match[1])) return new MemeError(match[1] as ErrorCode, match[2]);
  // Stalled too often, or a worker-side bug: not the user's fault, and not a code we know.
  return new MemeError('INTERNAL', reason || 'the job failed on a worker');
}

export function queueName(engine: EngineName): string {
  return `render-${engine}`;
}
