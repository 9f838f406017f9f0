// Decides which progress updates reach a user, so chats are not flooded: queue positions only at roughly
// geometric steps (1,2,3,4,5,7,9,12,16,21,...), stage updates at most once per interval. No I/O here.
import type { ProgressUpdate } from './service-types.ts';

/** Positions worth announcing: 1..5, then each about 4/3 of the one before. */
export function positionSteps(upTo: number): number[] {
  const steps = [1, 2, 3, 4, 5];
  while (steps[steps.length - 1] < upTo) {
    const last = steps[steps.length - 1];
    steps.push(Math.max(last + 1, Math.round(last * 1.34)));
  }
  return steps;
}

const STEPS = positionSteps(1_000_000);

/** The smallest announced step at or above a position. */
export function stepCeil(position: number): number {
  let low = 0;
  let high = STEPS.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (STEPS[mid] >= position) high = mid;
    else low = mid + 1;
  }
  return STEPS[low];
}

export class ProgressThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastPosition: number | undefined;
  #lastStageAtMs: number | undefined;
  #lastStage: string | undefined;

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Records the position the user was first told, so later moves are measured from it. */
  announced(position: number | undefined): void {
    if (position !== undefined) this.#lastPosition = position;
  }

  /** True when this update should be sent now. */
  accept(update: ProgressUpdate): boolean {
    if (update.stage === undefined) {
      if (update.position === undefined) return false;
      // Sent when the job reaches (or jumps past) a step below the last position told; moving back is not news.
      if (this.#lastPosition !== undefined && stepCeil(update.position) >= this.#lastPosition) return false;
      this.#lastPosition = update.position;
      return true;
    }
    const now = this.#now();
    // The first running update always goes out ("rendering"), then at most one per interval.
    if (this.#lastStageAtMs !== undefined && now - this.#lastStageAtMs < this.#intervalMs) return false;
    this.#lastStageAtMs = now;
    this.#lastStage = update.stage;
    return true;
  }

  get lastStage(): string | undefined {
    return this.#lastStage;
  }
}
