// HelloMeme v5's video sampling loop (spec §6.2–6.3, gen_video): levels deepest first, each from base noise by
// position with a fresh scheduler; per step one UNet call per 12-frame chunk on [uncond, cond], predictions
// averaged on shared frames, CFG, one scheduler step; keyframe pads after every level deeper than 0.
// The UNet and the reference pass are injected, so this file knows no ONNX and holds no pad tensors.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import { createScheduler } from './schedulers/create-scheduler.ts';
import { GaussianNoise } from './schedulers/gaussian-noise.ts';
import type { DrawNoise, SchedulerKind } from './schedulers/scheduler.ts';
import { type TemporalLevel, planTemporalLevels } from './temporal-windows.ts';
import { type VideoLayout, applyGuidance, averageChunkPredictions, duplicateForGuidance, gatherFrames } from './window-averaging.ts';

/** HelloMeme draws base noise for N + 12 + 1 frames ([1, 4, N + 13, h, w]); levels read its first L slices. */
export const BASE_NOISE_EXTRA_FRAMES = 13;
export const LATENT_CHANNELS = 4;

export interface ChunkCall {
  level: TemporalLevel;
  chunkIndex: number;
  stepIndex: number;
  timestep: number;
  /** Frame ids of the chunk: which control maps to feed. */
  frames: readonly number[];
  /** Keyframe ids whose pads the motion modules attend to, or null (no pad input). */
  pads: readonly [number, number] | null;
  /** Guidance > 1: the batch is [uncond, cond]; otherwise the conditional half alone. */
  classifierFreeGuidance: boolean;
  /** The model input [2, 4, |chunk|, h, w]: [uncond, cond] copies of the chunk's latents ([1, …] without CFG). */
  latents: Float32Array;
}

export interface V5LoopModels {
  /** The hm5 denoising UNet on one chunk: noise_pred [2, 4, |chunk|, h, w], both CFG halves ([1, …] without CFG). */
  denoise(call: ChunkCall, signal?: AbortSignal): Promise<Float32Array>;
  /**
   * After a level deeper than 0: compute and keep the pad features of `frames` from their final latents
   * ([1, 4, 1, h, w] each, in `frames` order), with the main prompt embeddings (not the reference prompt's).
   */
  writePads(frames: readonly number[], latents: readonly Float32Array[], signal?: AbortSignal): Promise<void>;
}

interface V5LoopOptions {
  frameCount: number;
  latentHeight: number;
  latentWidth: number;
  /** [1, 4, frameCount + 13, h, w]. */
  baseNoise: Float32Array;
  /** The scheduler's own draws, one per step that draws, in execution order (deepest level first). */
  drawNoise: DrawNoise;
  steps?: number;
  guidanceScale?: number;
  scheduler?: SchedulerKind;
  signal?: AbortSignal;
  /** 0..1 over all UNet calls of the render, after each call. */
  onProgress?: (fraction: number) => void;
  /** Sees every level's latents and guided model outputs as they happen (the verification trace); never alters them. */
  observer?: V5LoopObserver;
}

export interface V5LoopObserver {
  /** A level is about to run from `latents` [1, 4, L, h, w] with these timesteps. */
  levelStarted(level: TemporalLevel, timesteps: readonly number[], latents: Float32Array): void;
  /** Step `stepIndex` of `level` took the guided, chunk-averaged `modelOutput` to `latents` (both [1, 4, L, h, w]). */
  stepDone(level: TemporalLevel, stepIndex: number, modelOutput: Float32Array, latents: Float32Array): void;
}

/**
 * Production noise for a seed: base noise from stream 0, the scheduler's draws from stream 1 (HelloMeme takes
 * them from two torch generators, which cannot be reproduced outside torch; the goldens inject theirs instead).
 */
export function seededLoopNoise(seed: number, frameCount: number, latentHeight: number, latentWidth: number): Pick<V5LoopOptions, 'baseNoise' | 'drawNoise'> {
  const baseNoise = new GaussianNoise(seed, 0).next(LATENT_CHANNELS * (frameCount + BASE_NOISE_EXTRA_FRAMES) * latentHeight * latentWidth);
  const schedulerNoise = new GaussianNoise(seed, 1);
  return { baseNoise, drawNoise: (count) => schedulerNoise.next(count) };
}

function checkOptions(options: V5LoopOptions): void {
  const { frameCount, latentHeight: h, latentWidth: w } = options;
  const expected = LATENT_CHANNELS * (frameCount + BASE_NOISE_EXTRA_FRAMES) * h * w;
  if (options.baseNoise.length !== expected) {
    throw new MemeError('BAD_TENSOR', `base noise has ${options.baseNoise.length} values, expected [1, 4, ${frameCount + BASE_NOISE_EXTRA_FRAMES}, ${h}, ${w}]`);
  }
}

/** The number of denoiser calls a render makes: steps × chunks over every level. */
export function denoiserCalls(levels: readonly TemporalLevel[], steps: number): number {
  return steps * levels.reduce((sum, level) => sum + level.chunks.length, 0);
}

/** Runs the whole loop; returns depth 0's final latents [1, 4, frameCount, h, w] (before 1/0.18215 and the VAE). */
export async function runV5SamplingLoop(models: V5LoopModels, options: V5LoopOptions): Promise<Float32Array> {
  checkOptions(options);
  const steps = options.steps ?? 25;
  const levels = planTemporalLevels(options.frameCount);
  const totalCalls = denoiserCalls(levels, steps);
  const progress = { calls: 0, totalCalls };
  let result: Float32Array | null = null;
  for (const level of levels) {
    const latents = await runLevel(models, options, level, steps, progress);
    if (level.depth > 0) {
      const layout = layoutOf(options, 1);
      const byFrame = new Map(level.indexes.map((frame, p) => [frame, p]));
      const frameLatents = level.padsWritten.map((frame) => gatherFrames(latents, level.indexes.length, [byFrame.get(frame) as number], layout));
      throwIfAborted(options.signal);
      await models.writePads(level.padsWritten, frameLatents, options.signal);
    } else {
      result = latents;
    }
  }
  return result as Float32Array;
}

function layoutOf(options: V5LoopOptions, batch: number): VideoLayout {
  return { batch, channels: LATENT_CHANNELS, height: options.latentHeight, width: options.latentWidth };
}

async function runLevel(models: V5LoopModels, options: V5LoopOptions, level: TemporalLevel, steps: number, progress: { calls: number; totalCalls: number }): Promise<Float32Array> {
  const frames = level.indexes.length;
  const guidanceScale = options.guidanceScale ?? 1.5;
  const classifierFreeGuidance = guidanceScale > 1;
  const single = layoutOf(options, 1);
  const pair = layoutOf(options, classifierFreeGuidance ? 2 : 1);
  // Noise by position: a level of L frames starts from base noise slices 0..L−1, whatever its frame ids.
  const positions = Array.from({ length: frames }, (_, p) => p);
  const scheduler = createScheduler(options.scheduler ?? 'dpmpp-2m-sde', steps);
  let latents = gatherFrames(options.baseNoise, options.frameCount + BASE_NOISE_EXTRA_FRAMES, positions, single);
  if (scheduler.initNoiseSigma !== 1) latents = latents.map((v) => v * scheduler.initNoiseSigma);
  options.observer?.levelStarted(level, scheduler.timesteps, latents);
  for (let stepIndex = 0; stepIndex < steps; stepIndex++) {
    const timestep = scheduler.timesteps[stepIndex];
    const scaled = scheduler.scaleModelInput(latents, stepIndex);
    const input = classifierFreeGuidance ? duplicateForGuidance(scaled) : scaled;
    const predictions: Float32Array[] = [];
    for (const [chunkIndex, chunkPositions] of level.chunksNoise.entries()) {
      throwIfAborted(options.signal);
      const call: ChunkCall = { level, chunkIndex, stepIndex, timestep, frames: level.chunks[chunkIndex], pads: level.chunkPads[chunkIndex], classifierFreeGuidance, latents: gatherFrames(input, frames, chunkPositions, pair) };
      predictions.push(await models.denoise(call, options.signal));
      progress.calls++;
      options.onProgress?.(progress.calls / progress.totalCalls);
    }
    const averaged = averageChunkPredictions(predictions, level.chunksNoise, frames, pair);
    const guided = classifierFreeGuidance ? applyGuidance(averaged, guidanceScale) : averaged;
    latents = scheduler.step(guided, stepIndex, latents, options.drawNoise).prevSample;
    options.observer?.stepDone(level, stepIndex, guided, latents);
  }
  return latents;
}
