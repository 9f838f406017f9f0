// The tensor stages of one HelloMeme job on the open sessions (spec §4–§6): prompt embeddings, the sampled
// reference latent and its reference maps, the per-frame control maps, the sampling loop's denoise/pad
// callbacks, and VAE decoding. Order and progress belong to hellomeme-engine.ts; no ORT types here.
import { throwIfAborted } from '../../../errors.ts';
import type { HostTensor } from '../../../graph/runtime.ts';
import type { RgbImage } from '../../types.ts';
import { EXPRESSION_DIM, type HelloMemeControls } from './control-signals.ts';
import { GaussianNoise } from './schedulers/gaussian-noise.ts';
import type { HelloMemeSessions } from './session-set.ts';
import type { ChunkCall, V5LoopModels } from './v5-sampling-loop.ts';
import { batchSlice, f32Tensor, floatsOf, scatterFrames, signedToRgb, stackFrames } from './video-tensors.ts';
import { gatherFrames } from './window-averaging.ts';

/** Noise streams of a seed: 0 = base noise, 1 = scheduler draws (v5-sampling-loop), 2 = the reference latent sample. */
const REFERENCE_NOISE_STREAM = 2;
/** Control-net frames per call: one window's worth keeps the batch like a denoiser call's. */
const CONTROL_FRAMES_PER_CALL = 12;
export const LEVEL_NAMES = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'] as const;
export const CONTROL_KEYS = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'] as const;

/** What the denoise/pad stages need of the session set: the sessions by name (the loop replay gives its own). */
export type LoopSessions = Pick<HelloMemeSessions, 'session'>;
/** Keyframe pad features by frame id: the 8 reference maps of that frame's final latent, each [2, C, h, w]. */
export type KeyframePads = Map<number, Record<string, HostTensor>>;

/**
 * [uncond, cond] text embeddings [2, 77, D]: the negative prompt first, as HelloMeme batches them. `encoder`
 * 'clip-text-style' is the main text encoder with the set's LoRA style (the denoiser's prompt).
 */
export async function encodePrompts(s: HelloMemeSessions, prompt: string, encoder: 'clip-text' | 'clip-text-style' = 'clip-text', negativePrompt = ''): Promise<HostTensor> {
  const ids = [...s.tokenizer.encodeForSd15(negativePrompt), ...s.tokenizer.encodeForSd15(prompt)].map((id) => BigInt(id));
  const out = await (await s.session(encoder)).run({ input_ids: { elem: 'int64', dims: [2, s.tokenizer.maxLength], data: BigInt64Array.from(ids) } });
  return out.last_hidden_state;
}

/** VAE posterior sample of the reference crop ([3, S, S] in [−1, 1]) × scaling: [1, 4, S/8, S/8]. */
export async function sampleReferenceLatent(s: HelloMemeSessions, image: Float32Array, size: number, seed: number): Promise<HostTensor> {
  const out = await (await s.session('vae-encoder')).run({ image: f32Tensor([1, 3, size, size], image) });
  const mean = floatsOf(out.posterior_mean);
  const logvar = floatsOf(out.posterior_logvar);
  const eps = new GaussianNoise(seed, REFERENCE_NOISE_STREAM).next(mean.length);
  // diffusers clamps the log-variance to [−30, 20] before taking the standard deviation.
  const latent = mean.map((m, i) => (m + Math.exp(0.5 * Math.min(20, Math.max(-30, logvar[i]))) * eps[i]) * s.encodeScaling);
  return f32Tensor(out.posterior_mean.dims, latent);
}

/** The reference UNet at t = 0 on [zeros, latent] with [uncond, cond] text: the 8 maps, each [2, C, h, w]. */
export async function referenceMaps(s: LoopSessions, latent: Float32Array, latentDims: readonly number[], text: HostTensor): Promise<Record<string, HostTensor>> {
  const pair = new Float32Array(latent.length * 2);
  pair.set(latent, latent.length);
  const out = await (await s.session('hm5-reference')).run({ ref_latent: f32Tensor([2, ...latentDims.slice(1)], pair), encoder_hidden_states: text });
  return Object.fromEntries(LEVEL_NAMES.map((name) => [name, out[`ref_cache.${name}`]]));
}

/** Control maps for every frame, [uncond (−1 pose, zero expression), cond], each kept as [2, C, N, h, w]. */
export async function controlMaps(s: HelloMemeSessions, controls: HelloMemeControls, signal: AbortSignal | undefined, onFrames: (done: number) => void): Promise<Map<string, HostTensor>> {
  const n = controls.frameCount;
  const side = controls.imageSize;
  const plane = side * side;
  const full = new Map<string, HostTensor>();
  for (let from = 0; from < n; from += CONTROL_FRAMES_PER_CALL) {
    throwIfAborted(signal);
    const k = Math.min(CONTROL_FRAMES_PER_CALL, n - from);
    const condition = new Float32Array(2 * 3 * k * plane).fill(-1, 0, 3 * k * plane);
    for (let f = 0; f < k; f++) for (let c = 0; c < 3; c++) condition.set(controls.poseImages.subarray(((from + f) * 3 + c) * plane, ((from + f) * 3 + c + 1) * plane), (3 * k + c * k + f) * plane);
    const pd = new Float32Array(2 * k * EXPRESSION_DIM);
    pd.set(controls.expressions.subarray(from * EXPRESSION_DIM, (from + k) * EXPRESSION_DIM), k * EXPRESSION_DIM);
    const out = await (await s.session('hm5-control')).run({ condition: f32Tensor([2, 3, k, side, side], condition), pd_fpg: f32Tensor([2, k, EXPRESSION_DIM], pd) });
    for (const key of CONTROL_KEYS) {
      const part = out[`control.${key}`];
      const [b, c, , h, w] = part.dims;
      let whole = full.get(key);
      if (!whole) {
        whole = f32Tensor([b, c, n, h, w], new Float32Array(b * c * n * h * w));
        full.set(key, whole);
      }
      scatterFrames(floatsOf(whole), n, floatsOf(part), k, from, b * c);
    }
    onFrames(from + k);
  }
  return full;
}

interface LoopInputs {
  text: HostTensor;
  reference: Record<string, HostTensor>;
  control: Map<string, HostTensor>;
  latentSize: number;
}

/** The sampling loop's denoiser and keyframe-pad callbacks over the sessions; pads are kept in `pads`. */
export function loopModels(s: LoopSessions, inputs: LoopInputs, pads: KeyframePads = new Map()): V5LoopModels {
  const half = (t: HostTensor, cfg: boolean) => (cfg ? t : batchSlice(t, 1, 1));
  return {
    async denoise(call: ChunkCall) {
      const cfg = call.classifierFreeGuidance;
      const batch = cfg ? 2 : 1;
      const frames = call.frames.length;
      const size = inputs.latentSize;
      const feeds: Record<string, HostTensor> = {
        latent_model_input: f32Tensor([batch, 4, frames, size, size], call.latents),
        timestep: f32Tensor([1], Float32Array.of(call.timestep)),
        encoder_hidden_states: half(inputs.text, cfg),
      };
      for (let i = 0; i < 4; i++) feeds[`ref_cache.up_${i}`] = half(inputs.reference[`up_${i}`], cfg);
      for (const key of CONTROL_KEYS) {
        const whole = inputs.control.get(key) as HostTensor;
        const [b, c, n, h, w] = whole.dims;
        const chunk = f32Tensor([b, c, frames, h, w], gatherFrames(floatsOf(whole), n, call.frames, { batch: b, channels: c, height: h, width: w }));
        feeds[`control.${key}`] = half(chunk, cfg);
      }
      if (call.pads) {
        const [first, last] = call.pads.map((f) => pads.get(f) as Record<string, HostTensor>);
        for (const level of LEVEL_NAMES) {
          const [b, c, h, w] = first[level].dims;
          feeds[`pad.${level}`] = half(f32Tensor([b, c, 2, h, w], stackFrames([floatsOf(first[level]), floatsOf(last[level])], b * c)), cfg);
        }
      }
      const out = await (await s.session(call.pads ? 'hm5-denoise-pad' : 'hm5-denoise')).run(feeds);
      return floatsOf(out.noise_pred);
    },
    async writePads(frames, latents, signal) {
      for (const [i, frame] of frames.entries()) {
        throwIfAborted(signal);
        pads.set(frame, await referenceMaps(s, latents[i], [1, 4, inputs.latentSize, inputs.latentSize], inputs.text));
      }
    },
  };
}

/** Latents [1, 4, N, h, w] → RGB frames, one VAE decoder call per frame (1/scaling first). */
export async function decodeFrames(s: HelloMemeSessions, latents: Float32Array, frameCount: number, latentSize: number, signal: AbortSignal | undefined, onFrame: (done: number) => void): Promise<RgbImage[]> {
  const layout = { batch: 1, channels: 4, height: latentSize, width: latentSize };
  const frames: RgbImage[] = [];
  for (let f = 0; f < frameCount; f++) {
    throwIfAborted(signal);
    const latent = gatherFrames(latents, frameCount, [f], layout).map((v) => v / s.decodeScaling);
    const out = await (await s.session('vae-decoder')).run({ latent: f32Tensor([1, 4, latentSize, latentSize], latent) });
    const [, , height, width] = out.image_out.dims;
    frames.push(signedToRgb(floatsOf(out.image_out), width, height));
    onFrame(f + 1);
  }
  return frames;
}
