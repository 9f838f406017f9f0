// A moving average over the last N samples (recent job durations), used for queue ETAs.
// Plain state, no timers; the caller decides what a sample is.

export class MovingAverage {
  readonly #capacity: number;
  readonly #samples: number[] = [];
  readonly #fallback: number;

  /** `fallback` is the estimate before any sample exists (e.g. a typical job time for the lane). */
  constructor(capacity: number, fallback: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.#capacity = capacity;
    this.#fallback = fallback;
  }

  push(sample: number): void {
    if (!Number.isFinite(sample) || sample < 0) return;
    this.#samples.push(sample);
    if (this.#samples.length > this.#capacity) this.#samples.shift();
  }

  get value(): number {
    if (this.#samples.length === 0) return this.#fallback;
    return this.#samples.reduce((sum, s) => sum + s, 0) / this.#samples.length;
  }

  get count(): number {
    return this.#samples.length;
  }
}
