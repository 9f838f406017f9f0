// Replays a test/golden scheduler golden through one of our schedulers: the oracle model of the manifest
// is evaluated on OUR latents each step (closed loop), the recorded torch noise is injected where step() draws.
import path from 'node:path';
import type { Scheduler } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/scheduler.ts';
import { golden } from '../../../../../graph/golden-helpers.ts';
import { readGoldenJson } from '../../../../../helpers/read-golden-json.ts';
import { type GoldenTensor, maxAbsDiff, readSafetensors, sliceFirst } from '../../../../../helpers/read-safetensors.ts';

export interface SchedulerGolden {
  tensors: Map<string, GoldenTensor>;
  manifest: { num_inference_steps: number; init_noise_sigma: number; noise_drawn_per_step: boolean[] };
}

export function loadSchedulerGolden(name: string): SchedulerGolden {
  const dir = golden(name);
  return {
    tensors: readSafetensors(path.join(dir, 'tensors.safetensors')),
    manifest: readGoldenJson(path.join(dir, 'manifest.json')),
  };
}

export function tensor(golden: SchedulerGolden, name: string): GoldenTensor {
  const t = golden.tensors.get(name);
  if (!t) throw new Error(`golden has no tensor ${name}`);
  return t;
}

/** The manifest's oracle: 0.9·(x − √a·c)/√(1 − a) + 0.1·tanh(x), a = alphas_cumprod[int(t)] (float32). */
function oracle(x: Float32Array, t: number, golden: SchedulerGolden): Float32Array {
  const a = tensor(golden, 'alphas_cumprod').data[Math.trunc(t)];
  const c = tensor(golden, 'model_fn_c').data;
  const sqrtA = Math.fround(Math.sqrt(a));
  const sqrtB = Math.fround(Math.sqrt(Math.fround(1 - a)));
  return x.map((v, i) => Math.fround(0.9 * Math.fround(Math.fround(v - sqrtA * c[i]) / sqrtB) + 0.1 * Math.tanh(v)));
}

export interface ReplayErrors {
  latents: number;
  scaledInputs: number;
  modelOutputs: number;
  predOriginal: number;
  drawPattern: boolean[];
}

/** Runs every step; returns the worst abs error of each tensor family against the golden. */
export function replay(scheduler: Scheduler, golden: SchedulerGolden, predOriginalName?: string): ReplayErrors {
  const latentsGold = tensor(golden, 'latents');
  const errors: ReplayErrors = { latents: 0, scaledInputs: 0, modelOutputs: 0, predOriginal: 0, drawPattern: [] };
  let latents: Float32Array = tensor(golden, 'initial_latent').data.map((v) => Math.fround(v * scheduler.initNoiseSigma));
  errors.latents = maxAbsDiff(latents, sliceFirst(latentsGold, 0));
  scheduler.timesteps.forEach((t, i) => {
    const scaled = scheduler.scaleModelInput(latents, i);
    errors.scaledInputs = Math.max(errors.scaledInputs, maxAbsDiff(scaled, sliceFirst(tensor(golden, 'scaled_model_inputs'), i)));
    const modelOutput = oracle(scaled, t, golden);
    errors.modelOutputs = Math.max(errors.modelOutputs, maxAbsDiff(modelOutput, sliceFirst(tensor(golden, 'model_outputs'), i)));
    let drew = false;
    const result = scheduler.step(modelOutput, i, latents, (count) => {
      drew = true;
      const noise = sliceFirst(tensor(golden, 'noises'), i);
      if (noise.length !== count) throw new Error(`noise size ${count} vs ${noise.length}`);
      return noise;
    });
    errors.drawPattern.push(drew);
    if (predOriginalName) {
      errors.predOriginal = Math.max(errors.predOriginal, maxAbsDiff(result.predOriginalSample, sliceFirst(tensor(golden, predOriginalName), i)));
    }
    latents = result.prevSample;
    errors.latents = Math.max(errors.latents, maxAbsDiff(latents, sliceFirst(latentsGold, i + 1)));
  });
  return errors;
}
