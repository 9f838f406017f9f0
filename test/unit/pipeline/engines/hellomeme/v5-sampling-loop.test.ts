// The v5 loop driver replayed on hellomeme_v5_tiny/loop: the denoiser and pad pass are stand-ins that check
// each call's input against the golden latents and answer with the golden's recorded UNet outputs, so the
// procedure (levels, noise by position, chunks, pads, averaging, CFG, scheduler, draw order) is what is tested.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTemporalLevels, unetFramesPerStep } from '../../../../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { type ChunkCall, type V5LoopModels, denoiserCalls, runV5SamplingLoop, seededLoopNoise } from '../../../../../src/pipeline/engines/hellomeme/v5-sampling-loop.ts';
import { duplicateForGuidance, gatherFrames } from '../../../../../src/pipeline/engines/hellomeme/window-averaging.ts';
import { golden as goldenPath } from '../../../../graph/golden-helpers.ts';
import { type GoldenTensor, maxAbsDiff, readSafetensors, sliceFirst } from '../../../../helpers/read-safetensors.ts';

const LOOP = goldenPath('hellomeme_v5_tiny', 'loop');
const golden = new Map<string, GoldenTensor>(['inputs', 'intermediates', 'scheduler_noise', 'outputs'].flatMap((f) => [...readSafetensors(path.join(LOOP, `${f}.safetensors`))]));
const get = (name: string): GoldenTensor => {
  const t = golden.get(name);
  if (!t) throw new Error(`loop golden has no ${name}`);
  return t;
};
const LAYOUT = { batch: 1, channels: 4, height: 16, width: 16 };

function replayModels() {
  const seen = { calls: [] as ChunkCall[], inputError: 0, padFrames: [] as number[][], padLatentError: 0 };
  const models: V5LoopModels = {
    async denoise(call) {
      seen.calls.push(call);
      const d = call.level.depth;
      const levelLatents = sliceFirst(get(`depth${d}.latents`), call.stepIndex);
      const expected = duplicateForGuidance(gatherFrames(levelLatents, call.level.indexes.length, call.level.chunksNoise[call.chunkIndex], LAYOUT));
      seen.inputError = Math.max(seen.inputError, maxAbsDiff(call.latents, expected));
      return sliceFirst(get(`depth${d}.chunk${call.chunkIndex}.noise_pred`), call.stepIndex).slice();
    },
    async writePads(frames, latents) {
      seen.padFrames.push([...frames]);
      const keyframes = get('keyframes.latents');
      latents.forEach((l, k) => {
        seen.padLatentError = Math.max(seen.padLatentError, maxAbsDiff(l, gatherFrames(keyframes.data, 3, [k], LAYOUT)));
      });
    },
  };
  return { models, seen };
}

/** The recorded scheduler draws in their golden order: depth 1 steps 0..3, then depth 0 steps 0..3. */
function recordedDraws() {
  const queue = [0, 1, 2, 3].map((s) => sliceFirst(get('depth1.noises'), s)).concat([0, 1, 2, 3].map((s) => sliceFirst(get('depth0.noises'), s)));
  return (count: number) => {
    const next = queue.shift();
    if (!next || next.length !== count) throw new Error(`unexpected draw of ${count}`);
    return next;
  };
}

describe('runV5SamplingLoop on the loop golden', () => {
  it('reproduces gen_video: every denoiser input, the pads and the final latents', async () => {
    const { models, seen } = replayModels();
    const progress: number[] = [];
    const latents = await runV5SamplingLoop(models, {
      frameCount: 14,
      latentHeight: 16,
      latentWidth: 16,
      baseNoise: get('base_noise').data,
      drawNoise: recordedDraws(),
      steps: 4,
      guidanceScale: 1.5,
      onProgress: (f) => progress.push(f),
    });
    // Plan and call order: depth 1 (one chunk, no pads) then depth 0 (two chunks with keyframe pads).
    expect(seen.calls.map((c) => [c.level.depth, c.stepIndex, c.chunkIndex, c.timestep])).toEqual([
      ...[999, 749, 500, 250].map((t, s) => [1, s, 0, t]),
      ...[999, 749, 500, 250].flatMap((t, s) => [
        [0, s, 0, t],
        [0, s, 1, t],
      ]),
    ]);
    expect(seen.calls.filter((c) => c.level.depth === 1).every((c) => c.pads === null)).toBe(true);
    expect(seen.calls.filter((c) => c.level.depth === 0).map((c) => c.pads)).toEqual(Array(4).fill([[0, 11], [11, 13]]).flat());
    expect(seen.calls[4].frames).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(seen.padFrames).toEqual([[0, 11, 13]]);
    expect(seen.inputError).toBeLessThan(1e-2);
    expect(seen.inputError).toBeLessThan(1e-4);
    expect(seen.padLatentError).toBeLessThan(1e-4);
    expect(maxAbsDiff(latents, get('latents').data)).toBeLessThan(1e-4);
    expect(progress).toHaveLength(12);
    expect(progress[11]).toBe(1);
    expect(progress.every((p, i) => i === 0 || p > progress[i - 1])).toBe(true);
  });

  it('stops within one UNet call when the signal fires', async () => {
    const { models, seen } = replayModels();
    const controller = new AbortController();
    const denoise = models.denoise;
    models.denoise = async (call, signal) => {
      if (seen.calls.length === 2) controller.abort();
      return denoise(call, signal);
    };
    const run = runV5SamplingLoop(models, { frameCount: 14, latentHeight: 16, latentWidth: 16, baseNoise: get('base_noise').data, drawNoise: recordedDraws(), steps: 4, signal: controller.signal });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.calls).toHaveLength(3);
  });
});

describe('runV5SamplingLoop on other sizes', () => {
  it('makes the planned number of calls for N = 30 with two levels, CFG off, zero epsilon', async () => {
    const n = 30;
    const h = 2;
    const framesSeen: number[] = [];
    let batchValues = 0;
    const models: V5LoopModels = {
      async denoise(call) {
        framesSeen.push(call.frames.length);
        batchValues = call.latents.length / (4 * call.frames.length * h * h);
        return new Float32Array(call.latents.length);
      },
      async writePads() {},
    };
    const baseNoise = new Float32Array(4 * (n + 13) * h * h).fill(1);
    const out = await runV5SamplingLoop(models, { frameCount: n, latentHeight: h, latentWidth: h, baseNoise, drawNoise: (c) => new Float32Array(c), steps: 3, guidanceScale: 1 });
    expect(framesSeen.length).toBe(denoiserCalls(planTemporalLevels(n), 3));
    expect(framesSeen.reduce((a, b) => a + b, 0)).toBe(3 * unetFramesPerStep(n));
    expect(batchValues).toBe(1);
    // Zero epsilon and zero noise: x0 = x/alpha, and the last step returns x0 of the last sigma exactly.
    expect(out.length).toBe(4 * n * h * h);
    expect(out.every((v) => Number.isFinite(v) && v > 1)).toBe(true);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const models: V5LoopModels = {
      // A fixed stand-in epsilon that depends on the input, so the trajectory depends on every draw.
      denoise: async (c) => c.latents.map((v) => Math.tanh(v) * 0.5),
      writePads: async () => {},
    };
    const run = (seed: number) => runV5SamplingLoop(models, { frameCount: 13, latentHeight: 2, latentWidth: 2, steps: 3, ...seededLoopNoise(seed, 13, 2, 2) });
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1);
  });

  it('rejects base noise of the wrong size', async () => {
    const models: V5LoopModels = { denoise: async (c) => new Float32Array(c.latents.length), writePads: async () => {} };
    await expect(runV5SamplingLoop(models, { frameCount: 3, latentHeight: 2, latentWidth: 2, baseNoise: new Float32Array(5), drawNoise: (c) => new Float32Array(c) })).rejects.toMatchObject({ code: 'BAD_TENSOR' });
  });
});
