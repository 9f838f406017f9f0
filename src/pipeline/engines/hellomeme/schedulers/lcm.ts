// LCM (latent consistency model) sampling with the SD1.5 config diffusers loads: 50 original steps, leading
// skipping, boundary-condition scalings with timestep_scaling 10; fresh noise on every step but the last.
import { scaledLinearAlphasCumprod } from './noise-schedule.ts';
import { type DrawNoise, type Scheduler, type SchedulerStepResult, checkSameLength, checkStep, checkStepCount, drawStepNoise } from './scheduler.ts';

const f32 = Math.fround;
const ORIGINAL_STEPS = 50;
const TIMESTEP_SCALING = 10;
const SIGMA_DATA = 0.5;

/** The 50 LCM training timesteps k·20 − 1 (19 … 999), reversed, sampled at ⌊linspace(0, 50, n, endpoint=false)⌋. */
function lcmTimesteps(steps: number, trainSteps = 1000): number[] {
  const k = Math.floor(trainSteps / ORIGINAL_STEPS);
  const origin = Array.from({ length: ORIGINAL_STEPS }, (_, i) => (ORIGINAL_STEPS - i) * k - 1);
  return Array.from({ length: steps }, (_, i) => origin[Math.floor((i * ORIGINAL_STEPS) / steps)]);
}

export class LcmScheduler implements Scheduler {
  readonly kind = 'lcm' as const;
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod = scaledLinearAlphasCumprod();
  private nextStep = 0;

  constructor(steps: number) {
    checkStepCount(this.kind, steps, ORIGINAL_STEPS);
    this.timesteps = lcmTimesteps(steps);
  }

  drawsNoise(stepIndex: number): boolean {
    return stepIndex !== this.timesteps.length - 1;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, drawNoise?: DrawNoise): SchedulerStepResult {
    const stepCount = this.timesteps.length;
    checkStep(this.kind, stepIndex, this.nextStep, stepCount);
    checkSameLength(this.kind, modelOutput, sample);
    const t = this.timesteps[stepIndex];
    const tPrev = stepIndex + 1 < stepCount ? this.timesteps[stepIndex + 1] : t;
    const alphaProd = this.alphasCumprod[t];
    const alphaProdPrev = this.alphasCumprod[tPrev];
    const sqrtBeta = f32(Math.sqrt(f32(1 - alphaProd)));
    const sqrtAlpha = f32(Math.sqrt(alphaProd));
    const scaled = f32((t * TIMESTEP_SCALING) ** 2);
    const cSkip = f32(f32(SIGMA_DATA ** 2) / f32(scaled + SIGMA_DATA ** 2));
    const cOut = f32(f32(t * TIMESTEP_SCALING) / f32(Math.sqrt(f32(scaled + SIGMA_DATA ** 2))));
    const denoised = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x0 = f32(f32(sample[i] - f32(sqrtBeta * modelOutput[i])) / sqrtAlpha);
      denoised[i] = f32(f32(cOut * x0) + f32(cSkip * sample[i]));
    }
    this.nextStep = stepIndex + 1;
    if (!this.drawsNoise(stepIndex)) return { prevSample: denoised, predOriginalSample: denoised };
    const noise = drawStepNoise(this.kind, drawNoise, sample.length);
    const sqrtAlphaPrev = f32(Math.sqrt(alphaProdPrev));
    const sqrtBetaPrev = f32(Math.sqrt(f32(1 - alphaProdPrev)));
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f32(f32(sqrtAlphaPrev * denoised[i]) + f32(sqrtBetaPrev * noise[i]));
    return { prevSample: out, predOriginalSample: denoised };
  }
}
