// MemeError carries a machine-readable code; user-facing text for each code lives in bots/messages.ts.
// Nothing here formats text for people beyond a developer-facing message.

/** Every coded failure a job can end with. Input* codes are the user's to fix; the rest are ours. */
export const ERROR_CODES = [
  'FILE_NOT_FOUND',
  'NO_PHOTO',
  'NOT_AN_IMAGE',
  'IMAGE_UNREADABLE',
  'IMAGE_TOO_LARGE',
  'IMAGE_TOO_SMALL',
  'NO_FACE',
  'NOT_A_VIDEO',
  'VIDEO_UNREADABLE',
  'VIDEO_TOO_LONG',
  'VIDEO_TOO_LARGE',
  'CAPTION_TOO_LONG',
  'UNKNOWN_TEMPLATE',
  'UNSUPPORTED_FORMAT',
  'BAD_OPTION',
  'OUTPUT_UNWRITABLE',
  'BUDGET_UNREACHABLE',
  'QUEUE_FULL',
  'RATE_LIMITED',
  'BUSY',
  'CANCELLED',
  'TIMEOUT',
  'SHUTTING_DOWN',
  'UNKNOWN_JOB',
  'ENGINE_UNAVAILABLE',
  'BACKEND_UNAVAILABLE',
  'NETWORK_UNREACHABLE',
  'DOWNLOAD_STALLED',
  'BAD_WEIGHTS',
  'BAD_TENSOR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class MemeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? code);
    this.name = 'MemeError';
    this.code = code;
    this.details = details;
  }
}

/** A failure caused by what the user sent (bad photo, unknown template, oversize clip). */
export class InputError extends MemeError {
  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
    this.name = 'InputError';
  }
}

export function isMemeError(error: unknown): error is MemeError {
  return error instanceof MemeError;
}

/** Wraps anything thrown into a MemeError, keeping coded errors as they are. */
export function toMemeError(error: unknown): MemeError {
  if (error instanceof MemeError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new MemeError('CANCELLED', error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new MemeError('INTERNAL', message);
}

/** Throws CANCELLED (or TIMEOUT when the signal's reason says so) if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof MemeError) throw reason;
  throw new MemeError('CANCELLED', 'the job was cancelled');
}
