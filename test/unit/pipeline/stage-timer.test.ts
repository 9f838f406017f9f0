import { describe, expect, it } from 'vitest';
import { StageTimer } from '../../../src/pipeline/stage-timer.ts';
import type { Progress } from '../../../src/pipeline/types.ts';

describe('StageTimer', () => {
  it('reports overall progress that never goes back, in the order render.ts runs the stages, and times each stage', async () => {
    const seen: Progress[] = [];
    const timer = new StageTimer({ onProgress: (p) => seen.push(p) });
    for (const stage of ['decode', 'face', 'motion', 'captions', 'engine', 'encode'] as const) {
      await timer.stage(stage, async (report) => {
        report(0.5);
      });
    }
    const overall = seen.map((p) => p.overall);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
    expect(overall[overall.length - 1]).toBeCloseTo(1, 6);
    expect(Object.keys(timer.stageMs)).toHaveLength(6);
  });
});
