// Euler (discrete, epsilon prediction, no churn) as HelloMeme v1–v4 video configure diffusers'
// EulerDiscreteScheduler: float timesteps linspace(0, 999, n) reversed, σ interpolated, a final σ of 0.
import { interpolateTable, linspace, scaledLinearAlphasCumprod, vpSigmas } from './noise-schedule.ts';
import { type Scheduler, type SchedulerStepResult, checkSameLength, checkStep, checkStepCount } from './scheduler.ts';

const f32 = Math.fround;

/** Float timesteps 999 … 0 and their sigmas (linear interpolation in the training table), plus a final 0. */
export function eulerTimesteps(steps: number, trainSteps = 1000): { timesteps: number[]; sigmas: Float32Array } {
  const table = vpSigmas(scaledLinearAlphasCumprod(trainSteps));
  const timesteps = linspace(0, trainSteps - 1, steps).reverse();
  const sigmas = new Float32Array(steps + 1);
  timesteps.forEach((t, i) => {
    sigmas[i] = interpolateTable(table, t);
  });
  return { timesteps, sigmas };
}

export class EulerScheduler implements Scheduler {
  readonly kind = 'euler' as const;
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  /** With linspace spacing diffusers starts from σ_max itself (not √(σ_max² + 1)). */
  readonly initNoiseSigma: number;
  private nextStep = 0;

  constructor(steps: number) {
    checkStepCount(this.kind, steps, 1000);
    const { timesteps, sigmas } = eulerTimesteps(steps);
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.initNoiseSigma = Math.max(...sigmas);
  }

  drawsNoise(_stepIndex?: number): boolean {
    return false;
  }

  /** The model sees x / √(σ² + 1): the VP-scaled latents. */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const sigma = this.sigmas[stepIndex];
    const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) out[i] = f32(sample[i] / scale);
    return out;
  }

  /** x0 = x − σ·ε; x_next = x + ε·(σ_next − σ), which lands on x0 at the final σ of 0. */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): SchedulerStepResult {
    checkStep(this.kind, stepIndex, this.nextStep, this.timesteps.length);
    checkSameLength(this.kind, modelOutput, sample);
    const sigma = this.sigmas[stepIndex];
    const dt = f32(this.sigmas[stepIndex + 1] - sigma);
    const x0 = new Float32Array(sample.length);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      x0[i] = f32(sample[i] - f32(sigma * modelOutput[i]));
      out[i] = f32(sample[i] + f32(modelOutput[i] * dt));
    }
    this.nextStep = stepIndex + 1;
    return { prevSample: out, predOriginalSample: x0 };
  }
}
