// Watches one transfer attempt for silence: from the request until the last body byte, any stretch of
// `timeoutMs` without a byte (headers count) aborts the attempt, so a server that accepts the connection and
// then says nothing is noticed after the same wait as a body that stops mid-file.
import { MemeError } from '../errors.ts';

export class StallWatch {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private lastByteMs = Date.now();
  private readonly ticker: NodeJS.Timeout;
  private stopped = false;

  /**
   * @param onIdle called about 10 times per timeout (at most once a second) with the silence so far, so a
   *   terminal can show that it is waiting and a log can say so once.
   */
  constructor(
    readonly timeoutMs: number,
    private readonly what: string,
    parent?: AbortSignal,
    private readonly onIdle?: (idleMs: number) => void,
  ) {
    this.signal = parent ? AbortSignal.any([parent, this.controller.signal]) : this.controller.signal;
    const tickMs = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 10)));
    this.ticker = setInterval(() => this.tick(), tickMs);
  }

  /** Bytes (or response headers) arrived. */
  touch(): void {
    this.lastByteMs = Date.now();
  }

  get stalled(): boolean {
    return this.controller.signal.aborted;
  }

  /** The coded error for this stall (what the attempt failed with when `stalled`). */
  get error(): MemeError {
    return this.controller.signal.reason as MemeError;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
  }

  private tick(): void {
    if (this.stopped) return;
    const idleMs = Date.now() - this.lastByteMs;
    if (idleMs >= this.timeoutMs) {
      this.stop();
      const seconds = this.timeoutMs / 1000;
      this.controller.abort(
        new MemeError('DOWNLOAD_STALLED', `no data from ${this.what} for ${seconds} s`, { retryable: true, stallTimeoutMs: this.timeoutMs }),
      );
      return;
    }
    this.onIdle?.(idleMs);
  }
}
