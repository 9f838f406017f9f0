// The loop golden (hellomeme_v5_tiny/loop) without the UNet: its recorded chunk predictions, averaged on the
// shared frame and CFG-mixed, must give its model_outputs; with its recorded noise, our DPM-Solver++ SDE must
// walk its latents level by level, each level from base noise taken by position.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DpmSolverSdeScheduler } from '../../../../../src/pipeline/engines/hellomeme/schedulers/dpm-solver-sde.ts';
import { planTemporalLevels } from '../../../../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { type VideoLayout, applyGuidance, averageChunkPredictions, duplicateForGuidance, gatherFrames } from '../../../../../src/pipeline/engines/hellomeme/window-averaging.ts';
import { golden as goldenPath } from '../../../../graph/golden-helpers.ts';
import { type GoldenTensor, maxAbsDiff, readSafetensors, sliceFirst } from '../../../../helpers/read-safetensors.ts';

const LOOP = goldenPath('hellomeme_v5_tiny', 'loop');
const golden = new Map<string, GoldenTensor>([
  ...readSafetensors(path.join(LOOP, 'inputs.safetensors')),
  ...readSafetensors(path.join(LOOP, 'intermediates.safetensors')),
  ...readSafetensors(path.join(LOOP, 'scheduler_noise.safetensors')),
  ...readSafetensors(path.join(LOOP, 'outputs.safetensors')),
]);
const get = (name: string): GoldenTensor => {
  const t = golden.get(name);
  if (!t) throw new Error(`loop golden has no ${name}`);
  return t;
};
const LATENTS: VideoLayout = { batch: 1, channels: 4, height: 16, width: 16 };
const CFG_BATCH: VideoLayout = { ...LATENTS, batch: 2 };
const EPSILON_TOLERANCE = 1e-3;
const LATENT_TOLERANCE = 1e-2;

describe('chunk averaging and CFG on the loop golden', () => {
  const levels = planTemporalLevels(14);

  it.each([0, 1, 2, 3])('step %i: averaged, guided chunk predictions equal model_outputs at both depths', (step) => {
    for (const level of levels) {
      const predictions = level.chunks.map((_, c) => sliceFirst(get(`depth${level.depth}.chunk${c}.noise_pred`), step));
      const averaged = averageChunkPredictions(predictions, level.chunksNoise, level.indexes.length, CFG_BATCH);
      const guided = applyGuidance(averaged, 1.5);
      const error = maxAbsDiff(guided, sliceFirst(get(`depth${level.depth}.model_outputs`), step));
      expect(error).toBeLessThan(EPSILON_TOLERANCE);
      expect(error).toBeLessThan(1e-5);
    }
  });

  it('a shared frame gets the mean of both windows (not the last one)', () => {
    const top = levels[1];
    const predictions = top.chunks.map((_, c) => sliceFirst(get(`depth0.chunk${c}.noise_pred`), 0));
    const averaged = averageChunkPredictions(predictions, top.chunksNoise, 14, CFG_BATCH);
    const frame11 = gatherFrames(averaged, 14, [11], CFG_BATCH);
    const fromFirst = gatherFrames(predictions[0], 12, [11], CFG_BATCH);
    const fromSecond = gatherFrames(predictions[1], 3, [0], CFG_BATCH);
    const mean = fromFirst.map((v, i) => (v + fromSecond[i]) / 2);
    expect(maxAbsDiff(frame11, mean)).toBeLessThan(1e-6);
    expect(maxAbsDiff(fromFirst, fromSecond)).toBeGreaterThan(0.01);
  });

  it('walks both levels latents from base noise by position with the recorded draws', () => {
    const baseNoise = get('base_noise'); // [1, 4, N + 13, h, w]
    const baseFrames = baseNoise.shape[2];
    let worst = 0;
    for (const level of levels) {
      const frames = level.indexes.length;
      const scheduler = new DpmSolverSdeScheduler(4);
      expect(scheduler.timesteps).toEqual(Array.from(get(`depth${level.depth}.timesteps`).data));
      let latents = gatherFrames(baseNoise.data, baseFrames, level.indexes.map((_, p) => p), LATENTS);
      worst = Math.max(worst, maxAbsDiff(latents, sliceFirst(get(`depth${level.depth}.latents`), 0)));
      for (let step = 0; step < 4; step++) {
        // The CFG input is [latents, latents]; each chunk reads its positions of it.
        const input = duplicateForGuidance(latents);
        for (const positions of level.chunksNoise) expect(gatherFrames(input, frames, positions, CFG_BATCH).length).toBe(2 * 4 * positions.length * 256);
        const modelOutput = sliceFirst(get(`depth${level.depth}.model_outputs`), step);
        latents = scheduler.step(modelOutput, step, latents, () => sliceFirst(get(`depth${level.depth}.noises`), step)).prevSample;
        worst = Math.max(worst, maxAbsDiff(latents, sliceFirst(get(`depth${level.depth}.latents`), step + 1)));
      }
      if (level.depth === 0) expect(maxAbsDiff(latents, get('latents').data)).toBeLessThan(LATENT_TOLERANCE);
      if (level.depth === 1) expect(maxAbsDiff(latents, get('keyframes.latents').data)).toBeLessThan(LATENT_TOLERANCE);
    }
    expect(worst).toBeLessThan(LATENT_TOLERANCE);
    expect(worst).toBeLessThan(1e-4);
  });

  it('rejects predictions of the wrong size with a coded error', () => {
    expect(() => averageChunkPredictions([new Float32Array(3)], [[0]], 1, CFG_BATCH)).toThrow(expect.objectContaining({ code: 'BAD_TENSOR' }));
  });
});
