// Replays HelloMeme v5's whole sampling loop on given tensors instead of a photo and a clip: base noise, per-frame
// control maps, the reference cache (or the reference latent to make it), prompt embeddings and the scheduler's
// recorded draws, in the loop golden's format (test/golden/hellomeme_v5_tiny/loop/manifest.json). Returns the
// final latents and every intermediate under the golden's names, so a run can be compared tensor by tensor.
// The engine's own stages and loop run it; this file only checks the tensors and routes the draws.
import { InputError, MemeError } from '../../../errors.ts';
import type { HostTensor } from '../../../graph/runtime.ts';
import { CONTROL_KEYS, type KeyframePads, LEVEL_NAMES, type LoopSessions, loopModels, referenceMaps } from './engine-stages.ts';
import { LoopTrace, type TracedTensor } from './loop-trace.ts';
import { dpmSolverTimesteps } from './schedulers/dpm-solver-sde.ts';
import { planTemporalLevels } from './temporal-windows.ts';
import { BASE_NOISE_EXTRA_FRAMES, LATENT_CHANNELS, runV5SamplingLoop } from './v5-sampling-loop.ts';

interface LoopReplayInputs {
  /** Every tensor of the inputs file by name: base_noise, control.*, ref_cache.* (or ref_latent + prompt_embeds_ref), prompt_embeds. */
  readonly inputs: ReadonlyMap<string, HostTensor>;
  /** depth{d}.noises [steps, 1, 4, L, h, w] for every level of the plan. */
  readonly noise: ReadonlyMap<string, HostTensor>;
  /** Default: the noise file's step count. */
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly signal?: AbortSignal;
}

const describe = (t: HostTensor) => `[${t.dims.join(', ')}]`;

function tensor(map: ReadonlyMap<string, HostTensor>, name: string, what: string): HostTensor {
  const t = map.get(name);
  if (!t) throw new MemeError('BAD_TENSOR', `the ${what} file has no '${name}' (it holds ${[...map.keys()].join(', ') || 'nothing'})`);
  return t;
}

function expectRank(t: HostTensor, name: string, rank: number, layout: string): void {
  if (t.dims.length !== rank) throw new MemeError('BAD_TENSOR', `'${name}' is ${describe(t)}, expected ${layout}`);
}

interface ReplayShape {
  frameCount: number;
  height: number;
  width: number;
  batch: number;
}

/** N from the control maps' frame axis; h, w from the base noise; every control map must agree on N and on the batch. */
function replayShape(inputs: ReadonlyMap<string, HostTensor>): ReplayShape {
  const noise = tensor(inputs, 'base_noise', 'inputs');
  expectRank(noise, 'base_noise', 5, `[1, ${LATENT_CHANNELS}, N + ${BASE_NOISE_EXTRA_FRAMES}, h, w]`);
  const first = tensor(inputs, `control.${CONTROL_KEYS[0]}`, 'inputs');
  expectRank(first, `control.${CONTROL_KEYS[0]}`, 5, '[2, C, N, h, w]');
  const [batch, , frameCount] = first.dims;
  for (const key of CONTROL_KEYS) {
    const t = tensor(inputs, `control.${key}`, 'inputs');
    expectRank(t, `control.${key}`, 5, '[2, C, N, h, w]');
    if (t.dims[0] !== batch || t.dims[2] !== frameCount) throw new MemeError('BAD_TENSOR', `'control.${key}' is ${describe(t)}, but control.${CONTROL_KEYS[0]} has batch ${batch} and N = ${frameCount} frames`);
  }
  const [one, channels, noiseFrames, height, width] = noise.dims;
  if (one !== 1 || channels !== LATENT_CHANNELS || noiseFrames !== frameCount + BASE_NOISE_EXTRA_FRAMES) {
    throw new MemeError('BAD_TENSOR', `'base_noise' is ${describe(noise)}, expected [1, ${LATENT_CHANNELS}, N + ${BASE_NOISE_EXTRA_FRAMES} = ${frameCount + BASE_NOISE_EXTRA_FRAMES}, h, w] for the control maps' N = ${frameCount}`);
  }
  return { frameCount, height, width, batch };
}

/** The reference maps [2, C, h, w]: ref_cache.* as given, else the reference UNet on ref_latent with prompt_embeds_ref. */
async function referenceCache(sessions: LoopSessions, inputs: ReadonlyMap<string, HostTensor>): Promise<Record<string, HostTensor>> {
  if (LEVEL_NAMES.every((name) => inputs.has(`ref_cache.${name}`))) return Object.fromEntries(LEVEL_NAMES.map((name) => [name, inputs.get(`ref_cache.${name}`) as HostTensor]));
  if (!inputs.has('ref_latent') || !inputs.has('prompt_embeds_ref')) {
    throw new MemeError('BAD_TENSOR', `the inputs need the reference cache (ref_cache.${LEVEL_NAMES.join(', ref_cache.')}) or ref_latent [1, 4, h, w] with prompt_embeds_ref [2, T, D] to make it`);
  }
  const latent = inputs.get('ref_latent') as HostTensor;
  return referenceMaps(sessions, latent.data as Float32Array, latent.dims, inputs.get('prompt_embeds_ref') as HostTensor);
}

/** The step count: the noise file's, or --steps, which must then match it. */
function stepCount(noise: ReadonlyMap<string, HostTensor>, requested: number | undefined): number {
  const any = [...noise.entries()].find(([name]) => /^depth\d+\.noises$/.test(name));
  if (!any) throw new MemeError('BAD_TENSOR', `the noise file has no depth{d}.noises tensor (it holds ${[...noise.keys()].join(', ') || 'nothing'})`);
  const recorded = any[1].dims[0];
  if (requested !== undefined && requested !== recorded) throw new InputError('BAD_OPTION', `--steps ${requested} but the noise file records ${recorded} steps per level ('${any[0]}' is ${describe(any[1])})`);
  return recorded;
}

/** Runs the loop with the recorded draws; returns `latents` [1, 4, N, h, w] and the traced intermediates. */
export async function replayV5Loop(sessions: LoopSessions, options: LoopReplayInputs): Promise<Map<string, TracedTensor>> {
  const { inputs, noise } = options;
  const { frameCount, height, width, batch } = replayShape(inputs);
  const guidanceScale = options.guidanceScale ?? 1.5;
  const text = tensor(inputs, 'prompt_embeds', 'inputs');
  expectRank(text, 'prompt_embeds', 3, '[2, T, D] ([negative, positive])');
  if (batch !== 2 || text.dims[0] !== 2) throw new MemeError('BAD_TENSOR', `control maps and prompt_embeds need the [uncond, cond] batch of 2, got control batch ${batch} and prompt_embeds ${describe(text)}`);
  const steps = stepCount(noise, options.steps);
  const levels = planTemporalLevels(frameCount);
  const draws = new Map<number, HostTensor>();
  for (const level of levels) {
    const name = `depth${level.depth}.noises`;
    const t = tensor(noise, name, 'noise');
    const expected = [steps, 1, LATENT_CHANNELS, level.indexes.length, height, width];
    if (t.dims.join() !== expected.join()) throw new MemeError('BAD_TENSOR', `'${name}' is ${describe(t)}, expected [${expected.join(', ')}] (depth ${level.depth} has ${level.indexes.length} frames for N = ${frameCount})`);
    draws.set(level.depth, t);
  }
  if (height !== width) throw new MemeError('BAD_TENSOR', `the loop runs square latents; base_noise is ${height}×${width}`);
  const reference = await referenceCache(sessions, inputs);
  const control = new Map(CONTROL_KEYS.map((key) => [key, inputs.get(`control.${key}`) as HostTensor]));
  const pads: KeyframePads = new Map();
  const trace = new LoopTrace({ latentHeight: height, latentWidth: width, sigmas: dpmSolverTimesteps(steps).sigmas });
  // Each step's draw is that level's recorded tensor for that step (the golden records one per step, last included).
  let current = { depth: -1, step: 0 };
  const observer = {
    levelStarted: (...args: Parameters<typeof trace.observer.levelStarted>) => {
      current = { depth: args[0].depth, step: 0 };
      trace.observer.levelStarted(...args);
    },
    stepDone: (...args: Parameters<typeof trace.observer.stepDone>) => {
      current.step++;
      trace.observer.stepDone(...args);
    },
  };
  const drawNoise = (count: number): Float32Array => {
    const all = draws.get(current.depth) as HostTensor;
    const per = all.data.length / steps;
    if (count !== per) throw new MemeError('BAD_TENSOR', `depth ${current.depth} step ${current.step} draws ${count} values, the noise file holds ${per} per step`);
    return (all.data as Float32Array).subarray(current.step * per, (current.step + 1) * per);
  };
  const models = trace.wrap(loopModels(sessions, { text, reference, control, latentSize: height }, pads));
  const latents = await runV5SamplingLoop(models, { frameCount, latentHeight: height, latentWidth: width, baseNoise: tensor(inputs, 'base_noise', 'inputs').data as Float32Array, drawNoise, steps, guidanceScale, observer, signal: options.signal });
  const out = trace.tensors(pads);
  out.set('latents', { shape: [1, LATENT_CHANNELS, frameCount, height, width], data: latents });
  return out;
}
