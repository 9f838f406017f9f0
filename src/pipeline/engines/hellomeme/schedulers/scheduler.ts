// The contract every sampler implements (set up for N steps, then step() once per step, in order) and the
// shared checks. Schedulers are pure math over Float32Array latents of any shape; they never call a model.
import { MemeError } from '../../../../errors.ts';

/**
 * Draws `count` standard normal values. Production passes a seeded GaussianNoise; the golden tests pass the
 * recorded torch draws. A step that needs noise calls it exactly once, with the latents' element count.
 */
export type DrawNoise = (count: number) => Float32Array;

export type SchedulerKind = 'dpmpp-2m-sde' | 'ddim' | 'euler' | 'lcm';

export interface SchedulerStepResult {
  /** The latents for the next step (x_{t−1}). */
  prevSample: Float32Array;
  /** The model's estimate of the clean latents at this step (x0; LCM: its boundary-condition "denoised"). */
  predOriginalSample: Float32Array;
}

export interface Scheduler {
  readonly kind: SchedulerKind;
  /** The timesteps the model is called with, one per step (integers except for Euler). */
  readonly timesteps: readonly number[];
  /** Multiply the starting noise by this before the first step. */
  readonly initNoiseSigma: number;
  /** Whether step i draws noise (the draw pattern the goldens record as `noise_drawn_per_step`). */
  drawsNoise(stepIndex: number): boolean;
  /** What the model sees at step i: the identity except for Euler's 1/√(σ²+1). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** One step; must be called for steps 0, 1, 2… in order (multistep solvers keep a history). */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, drawNoise?: DrawNoise): SchedulerStepResult;
}

export function checkStep(kind: SchedulerKind, stepIndex: number, expectedIndex: number, stepCount: number): void {
  if (stepIndex !== expectedIndex || stepIndex >= stepCount) {
    throw new MemeError('INTERNAL', `${kind} scheduler: step ${stepIndex} called, expected step ${expectedIndex} of ${stepCount}`);
  }
}

export function checkSameLength(kind: SchedulerKind, modelOutput: Float32Array, sample: Float32Array): void {
  if (modelOutput.length !== sample.length) {
    throw new MemeError('BAD_TENSOR', `${kind} scheduler: model output has ${modelOutput.length} values, the sample ${sample.length}`);
  }
}

export function checkStepCount(kind: SchedulerKind, steps: number, max: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > max) {
    throw new MemeError('BAD_OPTION', `${kind} scheduler: steps must be an integer from 1 to ${max}, got ${steps}`);
  }
}

/** Draws the step's noise and checks its size; a scheduler that needs noise and got no source is a bug. */
export function drawStepNoise(kind: SchedulerKind, drawNoise: DrawNoise | undefined, count: number): Float32Array {
  if (!drawNoise) throw new MemeError('INTERNAL', `${kind} scheduler: this step draws noise but no noise source was given`);
  const noise = drawNoise(count);
  if (noise.length !== count) throw new MemeError('BAD_TENSOR', `${kind} scheduler: noise source gave ${noise.length} values, expected ${count}`);
  return noise;
}
