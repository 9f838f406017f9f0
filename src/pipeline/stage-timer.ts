// Measures each pipeline stage and turns per-stage fractions into one overall progress figure.
import type { Progress, RunOptions, StageName } from './types.ts';

/** Rough share of a warp render's wall time per stage; used only to make the overall bar move evenly. */
const STAGE_WEIGHTS: Record<StageName, number> = { decode: 0.05, face: 0.1, motion: 0.15, engine: 0.45, captions: 0.05, encode: 0.2 };
const STAGE_ORDER: StageName[] = ['decode', 'face', 'motion', 'captions', 'engine', 'encode'];

export class StageTimer {
  readonly stageMs: Partial<Record<StageName, number>> = {};
  private readonly onProgress?: (progress: Progress) => void;

  constructor(run: RunOptions) {
    this.onProgress = run.onProgress;
  }

  report(stage: StageName, fraction: number): void {
    if (!this.onProgress) return;
    const index = STAGE_ORDER.indexOf(stage);
    const before = STAGE_ORDER.slice(0, index).reduce((sum, s) => sum + STAGE_WEIGHTS[s], 0);
    const clamped = Math.max(0, Math.min(1, fraction));
    this.onProgress({ stage, fraction: clamped, overall: Math.min(1, before + STAGE_WEIGHTS[stage] * clamped) });
  }

  /** Runs one stage, timing it and reporting 0 and 1; `inner` receives this stage's progress reporter. */
  async stage<T>(stage: StageName, work: (report: (fraction: number) => void) => Promise<T>): Promise<T> {
    const started = performance.now();
    this.report(stage, 0);
    try {
      return await work((fraction) => this.report(stage, fraction));
    } finally {
      this.stageMs[stage] = (this.stageMs[stage] ?? 0) + (performance.now() - started);
      this.report(stage, 1);
    }
  }
}
