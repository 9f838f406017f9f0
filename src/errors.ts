// Every failure's code and who must act on it (ERROR_KINDS, the one table of codes); MemeError carries the code.
// User-facing text for each code lives in bots/messages.ts; nothing here formats text for people beyond a
// developer-facing message.

/**
 * Who must act on a failure, the one thing anyone branches on (log level, whether to retry, what to tell whom):
 * - `input`: the person who asked (another photo, a shorter caption, a template that exists, or they cancelled);
 * - `operator`: whoever runs Memeloom (missing or bad model files, an engine this machine cannot run, an
 *   unwritable output);
 * - `transient`: nobody; the infrastructure is busy or unreachable for now (queue full, rate limit, network,
 *   shutdown), so the same request can succeed later;
 * - `bug`: us (a tensor of the wrong shape, anything uncoded).
 */
type ErrorKind = 'input' | 'operator' | 'transient' | 'bug';

/** Every coded failure a job or command can end with, and who must act on it. The one list of codes. */
const ERROR_KINDS = {
  FILE_NOT_FOUND: 'input',
  NO_PHOTO: 'input',
  NOT_AN_IMAGE: 'input',
  IMAGE_UNREADABLE: 'input',
  IMAGE_TOO_LARGE: 'input',
  IMAGE_TOO_SMALL: 'input',
  NO_FACE: 'input',
  NOT_A_VIDEO: 'input',
  VIDEO_UNREADABLE: 'input',
  VIDEO_TOO_LONG: 'input',
  VIDEO_TOO_LARGE: 'input',
  CAPTION_TOO_LONG: 'input',
  UNKNOWN_TEMPLATE: 'input',
  UNSUPPORTED_FORMAT: 'input',
  BAD_OPTION: 'input',
  // The picture cannot be made to fit the size asked for: a shorter clip or another format is the person's choice.
  BUDGET_UNREACHABLE: 'input',
  CANCELLED: 'input',
  // A button of a job this process no longer remembers: the person starts again.
  UNKNOWN_JOB: 'input',
  // A button of someone else's meme (the playground's keep or cancel from another browser session).
  NOT_YOURS: 'input',
  OUTPUT_UNWRITABLE: 'operator',
  ENGINE_UNAVAILABLE: 'operator',
  BAD_WEIGHTS: 'operator',
  QUEUE_FULL: 'transient',
  RATE_LIMITED: 'transient',
  BUSY: 'transient',
  TIMEOUT: 'transient',
  SHUTTING_DOWN: 'transient',
  BACKEND_UNAVAILABLE: 'transient',
  NETWORK_UNREACHABLE: 'transient',
  DOWNLOAD_STALLED: 'transient',
  BAD_TENSOR: 'bug',
  INTERNAL: 'bug',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_KINDS;
/** The codes whose failure is the person's to fix: the only ones an InputError may carry. */
export type InputErrorCode = { [C in ErrorCode]: (typeof ERROR_KINDS)[C] extends 'input' ? C : never }[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_KINDS) as readonly ErrorCode[];

export function errorKind(code: ErrorCode): ErrorKind {
  return ERROR_KINDS[code];
}

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

/** A failure caused by what the user sent (bad photo, unknown template, oversize clip): an input-kind code only. */
export class InputError extends MemeError {
  declare readonly code: InputErrorCode;

  constructor(code: InputErrorCode, message?: string, details: Record<string, unknown> = {}) {
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
