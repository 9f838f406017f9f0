// Paces edits of one message: at most one edit per interval, the latest pending edit wins, and a final
// edit can wait for the one in flight. Knows nothing of Discord; the clock and timers are injectable.

export interface ThrottleTimers {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: ThrottleTimers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long to wait before the next edit may go out (0 = now). */
export function nextEditDelayMs(lastEditAtMs: number | undefined, nowMs: number, minIntervalMs: number): number {
  if (lastEditAtMs === undefined) return 0;
  return Math.max(0, lastEditAtMs + minIntervalMs - nowMs);
}

export class EditThrottle {
  #lastEditAtMs: number | undefined;
  #pending: (() => Promise<void>) | undefined;
  #timer: unknown;
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly minIntervalMs: number,
    private readonly nowMs: () => number = Date.now,
    private readonly timers: ThrottleTimers = REAL_TIMERS,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Queues an edit; an edit still waiting for its slot is replaced (only the newest state matters). */
  offer(edit: () => Promise<void>): void {
    if (this.#closed) return;
    this.#pending = edit;
    if (this.#timer !== undefined) return;
    const delayMs = nextEditDelayMs(this.#lastEditAtMs, this.nowMs(), this.minIntervalMs);
    if (delayMs === 0) this.#fire();
    else this.#timer = this.timers.set(() => this.#fire(), delayMs);
  }

  /** Drops the waiting edit, refuses new ones and resolves once the edit in flight has finished. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#pending = undefined;
    if (this.#timer !== undefined) this.timers.clear(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #fire(): void {
    this.#timer = undefined;
    const edit = this.#pending;
    this.#pending = undefined;
    if (!edit || this.#closed) return;
    this.#lastEditAtMs = this.nowMs();
    this.#inFlight = this.#inFlight.then(edit).catch(this.onError);
  }
}
