// The retry policy of `models pull`, one place for metadata requests and downloads alike. Each attempt runs
// under its own stall watch. Failures in a row without progress are counted per kind:
//   stall (no byte for stallTimeoutMs)      → retried at once (the wait already happened), 3 retries
//   cannot connect (DNS, refused, proxy)    → retried after 1 s, 2 s; then NETWORK_UNREACHABLE
//   anything else transient (5xx, cut link) → retried with doubling delays, maxAttempts in all
// The final error names what to check (the source's hint). An attempt that made progress resets the counts.
import { MemeError } from '../errors.ts';
import { toTransferError } from './network-errors.ts';
import { StallWatch } from './stall-watch.ts';

export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
export const STALL_RETRIES = 3;
const UNREACHABLE_ATTEMPTS = 3;
const DEFAULT_MAX_ATTEMPTS = 5;

export interface RetryOptions {
  /** No byte for this long aborts an attempt (DEFAULT_STALL_TIMEOUT_MS unless set). */
  stallTimeoutMs?: number;
  /** Stalled attempts retried before DOWNLOAD_STALLED (STALL_RETRIES unless set). */
  stallRetries?: number;
  /** Attempts in all for other transient failures (5xx, a cut connection). */
  maxAttempts?: number;
  /** First delay before a retry that was not a stall; doubles each time. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** What to check, appended to NETWORK_UNREACHABLE and DOWNLOAD_STALLED messages. */
  hint?: string;
  /** One line per retry, for the user. */
  log?: (line: string) => void;
  /** Silence so far in the current attempt (see StallWatch). */
  onIdle?: (idleMs: number, stallTimeoutMs: number) => void;
}

type FailureKind = 'stall' | 'unreachable' | 'transient';

function kindOf(error: MemeError): FailureKind {
  if (error.code === 'DOWNLOAD_STALLED') return 'stall';
  return error.code === 'NETWORK_UNREACHABLE' ? 'unreachable' : 'transient';
}

function isRetryable(error: unknown): error is MemeError {
  return error instanceof MemeError && error.details.retryable === true;
}

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

function finalError(error: MemeError, kind: FailureKind, what: string, failures: number, retries: number, hint: string | undefined): MemeError {
  const details = { ...error.details, retryable: false, retries };
  const check = hint ? `; ${hint}` : '';
  if (kind === 'stall') return new MemeError('DOWNLOAD_STALLED', `${what}: ${error.message}, ${failures} times in a row${check}`, details);
  if (kind === 'unreachable') return new MemeError('NETWORK_UNREACHABLE', `${what}: ${error.message} (${failures} attempt${failures === 1 ? '' : 's'})${check}`, details);
  return new MemeError('ENGINE_UNAVAILABLE', `cannot download ${what}: ${error.message}`, details);
}

/**
 * Runs `attempt` until it succeeds or a limit is hit. `host` names the server in stall messages;
 * `madeProgress` (called after a failure) tells whether the attempt got some bytes, which resets the counts.
 */
export async function withRetries<T>(
  what: string,
  host: string,
  attempt: (watch: StallWatch) => Promise<T>,
  options: RetryOptions,
  madeProgress?: () => Promise<boolean>,
): Promise<{ value: T; retries: number }> {
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const limits: Record<FailureKind, number> = {
    stall: (options.stallRetries ?? STALL_RETRIES) + 1,
    unreachable: UNREACHABLE_ATTEMPTS,
    transient: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
  const failures: Record<FailureKind, number> = { stall: 0, unreachable: 0, transient: 0 };
  let retries = 0;
  for (;;) {
    if (options.signal?.aborted) throw new MemeError('CANCELLED', 'the download was cancelled');
    const watch = new StallWatch(stallTimeoutMs, host, options.signal, (idleMs) => options.onIdle?.(idleMs, stallTimeoutMs));
    try {
      return { value: await attempt(watch), retries };
    } catch (raw) {
      const error = watch.stalled ? watch.error : toTransferError(raw, host);
      if (options.signal?.aborted) throw new MemeError('CANCELLED', 'the download was cancelled');
      // A proxy refusal or a certificate problem: no retry, but still say what to check.
      if (error instanceof MemeError && error.code === 'NETWORK_UNREACHABLE' && !isRetryable(error)) throw finalError(error, 'unreachable', what, 1, retries, options.hint);
      if (!isRetryable(error)) throw error;
      retries++;
      if (await madeProgress?.()) for (const k of Object.keys(failures) as FailureKind[]) failures[k] = 0;
      const kind = kindOf(error);
      const count = ++failures[kind];
      if (count >= limits[kind]) throw finalError(error, kind, what, count, retries, options.hint);
      const waitMs = kind === 'stall' ? 0 : (options.retryDelayMs ?? 1000) * 2 ** (count - 1);
      options.log?.(`${what}: ${error.message}; retry ${count} of ${limits[kind] - 1}${waitMs ? ` in ${waitMs} ms` : ' now'}`);
      await delay(waitMs, options.signal);
    } finally {
      watch.stop();
    }
  }
}
