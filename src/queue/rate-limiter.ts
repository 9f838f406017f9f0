// Per-user rolling-window caps (hourly and daily): remembers when each user's jobs were accepted.
// It only counts and answers; refusing with RATE_LIMITED is the caller's job.

interface RateWindow {
  windowMs: number;
  max: number;
}

interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until the oldest counted request leaves the tightest window. */
  retryAfterMs: number;
  /** When refused: the window that holds the user back longest (its cap goes into the user's message). */
  window?: RateWindow;
}

export class RateLimiter {
  readonly #windows: RateWindow[];
  readonly #now: () => number;
  readonly #longestMs: number;
  #stamps = new Map<string, number[]>();

  constructor(windows: RateWindow[], now: () => number = Date.now) {
    this.#windows = windows;
    this.#now = now;
    this.#longestMs = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  /** Would one more request from this user fit every window? Does not record anything. */
  check(userId: string): RateDecision {
    const now = this.#now();
    const stamps = this.#prune(userId, now);
    let retryAfterMs = 0;
    let tightest: RateWindow | undefined;
    for (const window of this.#windows) {
      const inWindow = stamps.filter((t) => t > now - window.windowMs);
      if (inWindow.length >= window.max) {
        // The request that must expire is the max-th most recent one.
        const blocking = inWindow[inWindow.length - window.max];
        const waitMs = blocking + window.windowMs - now;
        if (waitMs > retryAfterMs) {
          retryAfterMs = waitMs;
          tightest = window;
        }
      }
    }
    return { allowed: retryAfterMs === 0, retryAfterMs, window: tightest };
  }

  record(userId: string): void {
    const now = this.#now();
    const stamps = this.#prune(userId, now);
    stamps.push(now);
    this.#stamps.set(userId, stamps);
  }

  #prune(userId: string, now: number): number[] {
    const stamps = (this.#stamps.get(userId) ?? []).filter((t) => t > now - this.#longestMs);
    if (stamps.length === 0) this.#stamps.delete(userId);
    else this.#stamps.set(userId, stamps);
    return stamps;
  }
}
