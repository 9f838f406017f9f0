
import { describe, expect, it } from 'vitest';
import {
  type TemporalLevel,
  chunkIndexes,
  keyframeReferencePasses,
  planTemporalLevels,
  sharedFrameWeights,
  unetFrameEvaluations,
  unetFramesPerStep,
} from '../../../../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { golden } from '../../../../graph/golden-helpers.ts';
import { readGoldenJson } from '../../../../helpers/read-golden-json.ts';

interface GoldenLevel {
  depth: number;
  indexes: number[];
  chunks: number[][];
  chunks_noise: number[][];
  chunk_pads: ([number, number] | null)[];
  pads_written: number[];
}

const manifest = readGoldenJson<{ plan: GoldenLevel[]; chunk_plans: { plans: Record<string, GoldenLevel[]> } }>(
  golden('hellomeme_v5_tiny', 'loop', 'manifest.json'),
);

function asGolden(levels: TemporalLevel[]): GoldenLevel[] {
  return levels.map((l) => ({ depth: l.depth, indexes: l.indexes, chunks: l.chunks, chunks_noise: l.chunksNoise, chunk_pads: l.chunkPads, pads_written: l.padsWritten }));
}

describe('planTemporalLevels', () => {
  it('equals the loop golden plan for N = 14', () => {
    expect(asGolden(planTemporalLevels(14))).toEqual(manifest.plan);
  });

  const sizes = Object.keys(manifest.chunk_plans.plans);
  it('covers the golden chunk_plans sizes', () => {
    expect(sizes.map(Number).sort((a, b) => a - b)).toEqual([1, 12, 13, 14, 23, 24, 25, 34, 35, 134]);
  });
  it.each(sizes)('equals the golden plan for N = %s', (n) => {
    expect(asGolden(planTemporalLevels(Number(n)))).toEqual(manifest.chunk_plans.plans[n]);
  });

  it('drops a trailing window of one frame but keeps one of two', () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(chunkIndexes(range(23)).map((c) => [c[0], c.length])).toEqual([
      [0, 12],
      [11, 12],
    ]);
    expect(chunkIndexes(range(24)).map((c) => [c[0], c.length])).toEqual([
      [0, 12],
      [11, 12],
      [22, 2],
    ]);
  });

  it('gives every depth-0 chunk pads of its own end frames for any long clip', () => {
    for (const n of [13, 47, 88, 169, 327, 1000]) {
      const levels = planTemporalLevels(n);
      const top = levels[levels.length - 1];
      expect(top.depth).toBe(0);
      expect(top.chunkPads).toEqual(top.chunks.map((c) => [c[0], c[c.length - 1]]));
      expect(top.chunks.flat().filter((f, i, all) => all.indexOf(f) === i).length).toBe(n);
    }
  });

  it('rejects an empty clip with a coded error', () => {
    expect(() => planTemporalLevels(0)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});

describe('sharedFrameWeights', () => {
  it('halves the weight of the frame two windows share', () => {
    const top = planTemporalLevels(14)[1];
    const weights = Array.from(sharedFrameWeights(top));
    expect(weights[11]).toBe(0.5);
    expect(weights.filter((w) => w === 1).length).toBe(13);
  });
});

describe('UNet frame-evaluation formula', () => {
  // The spec's table (§6.3): clip, N at fps8, UNet frames per step, keyframe reference passes.
  it.each([
    ['tndtc', 20, 24, 3],
    ['jue', 47, 57, 6],
    ['tiktok', 88, 104, 9],
    ['xzy3', 169, 205, 20],
    ['xzy1', 327, 393, 35],
  ])('%s (N = %i): %i frames per step, %i keyframe passes', (_clip, n, perStep, passes) => {
    expect(unetFramesPerStep(n)).toBe(perStep);
    expect(keyframeReferencePasses(n)).toBe(passes);
    expect(unetFrameEvaluations(n)).toBe(25 * perStep * 2);
    expect(unetFrameEvaluations(n, 25, false)).toBe(25 * perStep);
  });

  it.each(Object.keys(manifest.chunk_plans.plans))('matches the chunk lengths of the golden plan for N = %s', (n) => {
    const golden = manifest.chunk_plans.plans[n];
    const perStep = golden.reduce((sum, level) => sum + level.chunks.reduce((s, c) => s + c.length, 0), 0);
    expect(unetFramesPerStep(Number(n))).toBe(perStep);
    expect(unetFrameEvaluations(Number(n), 4)).toBe(4 * perStep * 2);
  });

  it('stays near the spec rule of thumb of 1.2·N frames per step for long clips', () => {
    for (const n of [100, 300, 1000]) {
      const ratio = unetFramesPerStep(n) / n;
      expect(ratio).toBeGreaterThan(1.09);
      expect(ratio).toBeLessThan(1.25);
    }
  });
});
