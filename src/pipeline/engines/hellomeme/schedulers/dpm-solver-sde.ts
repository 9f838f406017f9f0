// DPM-Solver++ 2M SDE (midpoint, epsilon prediction) exactly as HelloMeme v5 builds diffusers'
// DPMSolverMultistepScheduler: linspace timesteps, final sigma 0, first order on the first and last step.
// Arithmetic is float32 like diffusers' (Math.fround per operation); see hellomeme-spec.md §6.1.
import { linspace, roundHalfEven, scaledLinearAlphasCumprod, vpSigmas } from './noise-schedule.ts';
import { type DrawNoise, type Scheduler, type SchedulerStepResult, checkSameLength, checkStep, checkStepCount, drawStepNoise } from './scheduler.ts';

const f32 = Math.fround;

/** VP coefficients of one sigma: alpha = 1/√(σ²+1), s = σ·alpha, λ = ln alpha − ln s (λ = +∞ at σ = 0). */
interface VpPoint {
  alpha: number;
  s: number;
  lambda: number;
}

function vpPoint(sigma: number): VpPoint {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  const s = f32(sigma * alpha);
  return { alpha, s, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(s))) };
}

/** Timesteps round(linspace(0, T−1, n+1)) reversed without the last, and their sigmas plus a final 0. */
export function dpmSolverTimesteps(steps: number, trainSteps = 1000): { timesteps: number[]; sigmas: Float32Array } {
  const table = vpSigmas(scaledLinearAlphasCumprod(trainSteps));
  const timesteps = linspace(0, trainSteps - 1, steps + 1)
    .map(roundHalfEven)
    .reverse()
    .slice(0, steps);
  const sigmas = new Float32Array(steps + 1);
  timesteps.forEach((t, i) => {
    sigmas[i] = table[t];
  });
  return { timesteps, sigmas };
}

export class DpmSolverSdeScheduler implements Scheduler {
  readonly kind = 'dpmpp-2m-sde' as const;
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  readonly initNoiseSigma = 1;
  private readonly points: VpPoint[];
  private nextStep = 0;
  private previousX0: Float32Array | null = null;

  constructor(steps: number) {
    checkStepCount(this.kind, steps, 1000);
    const { timesteps, sigmas } = dpmSolverTimesteps(steps);
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.points = Array.from(sigmas, vpPoint);
  }

  drawsNoise(_stepIndex?: number): boolean {
    // diffusers draws on every step, the last included (where the noise coefficient is 0); keeping the draw keeps
    // a seeded run's noise stream aligned with the reference.
    return true;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, drawNoise?: DrawNoise): SchedulerStepResult {
    const stepCount = this.timesteps.length;
    checkStep(this.kind, stepIndex, this.nextStep, stepCount);
    checkSameLength(this.kind, modelOutput, sample);
    const here = this.points[stepIndex];
    const next = this.points[stepIndex + 1];
    const x0 = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) x0[i] = f32(f32(sample[i] - f32(here.s * modelOutput[i])) / here.alpha);
    const noise = drawStepNoise(this.kind, drawNoise, sample.length);
    const firstOrder = this.previousX0 === null || stepIndex === stepCount - 1;
    const h = f32(next.lambda - here.lambda);
    const decay = f32(Math.exp(-h));
    const decay2 = f32(Math.exp(f32(-2 * h)));
    const sampleCoef = f32(f32(next.s / here.s) * decay);
    const x0Coef = f32(next.alpha * f32(1 - decay2));
    const noiseCoef = f32(next.s * f32(Math.sqrt(f32(1 - decay2))));
    const out = new Float32Array(sample.length);
    if (firstOrder) {
      for (let i = 0; i < out.length; i++) {
        out[i] = f32(f32(f32(sampleCoef * sample[i]) + f32(x0Coef * x0[i])) + f32(noiseCoef * noise[i]));
      }
    } else {
      const prev = this.points[stepIndex - 1];
      const inverseR = f32(1 / f32(f32(here.lambda - prev.lambda) / h));
      const halfCoef = f32(0.5 * x0Coef);
      const prevX0 = this.previousX0 as Float32Array;
      for (let i = 0; i < out.length; i++) {
        const d1 = f32(inverseR * f32(x0[i] - prevX0[i]));
        const acc = f32(f32(sampleCoef * sample[i]) + f32(x0Coef * x0[i]));
        out[i] = f32(f32(acc + f32(halfCoef * d1)) + f32(noiseCoef * noise[i]));
      }
    }
    this.previousX0 = x0;
    this.nextStep = stepIndex + 1;
    return { prevSample: out, predOriginalSample: x0 };
  }
}
