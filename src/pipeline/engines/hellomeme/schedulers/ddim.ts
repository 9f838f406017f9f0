// DDIM (Song et al. 2020, formulas 12 and 16) with the SD1.5 scheduler config diffusers loads:
// "leading" spacing, steps_offset 1, set_alpha_to_one false, epsilon prediction, eta 0 (deterministic) or > 0.
import { MemeError } from '../../../../errors.ts';
import { scaledLinearAlphasCumprod } from './noise-schedule.ts';
import { type DrawNoise, type Scheduler, type SchedulerStepResult, checkSameLength, checkStep, checkStepCount, drawStepNoise } from './scheduler.ts';

const f32 = Math.fround;
const STEPS_OFFSET = 1;

/** Leading spacing: t_i = (n−1−i)·⌊T/n⌋ + steps_offset, e.g. 961, 921, …, 1 for 25 steps. */
function ddimTimesteps(steps: number, trainSteps = 1000): number[] {
  const ratio = Math.floor(trainSteps / steps);
  return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + STEPS_OFFSET);
}

export class DdimScheduler implements Scheduler {
  readonly kind = 'ddim' as const;
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod = scaledLinearAlphasCumprod();
  private readonly stride: number;
  private nextStep = 0;

  constructor(
    steps: number,
    readonly eta = 0,
  ) {
    checkStepCount(this.kind, steps, 1000);
    if (!(eta >= 0 && eta <= 1)) throw new MemeError('BAD_OPTION', `ddim scheduler: eta must be within 0..1, got ${eta}`);
    this.timesteps = ddimTimesteps(steps);
    this.stride = Math.floor(1000 / steps);
  }

  drawsNoise(_stepIndex?: number): boolean {
    return this.eta > 0;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, drawNoise?: DrawNoise): SchedulerStepResult {
    checkStep(this.kind, stepIndex, this.nextStep, this.timesteps.length);
    checkSameLength(this.kind, modelOutput, sample);
    const t = this.timesteps[stepIndex];
    const tPrev = t - this.stride;
    const alphaProd = this.alphasCumprod[t];
    // set_alpha_to_one = false: past the start, the "previous" alpha is alphas_cumprod[0].
    const alphaProdPrev = tPrev >= 0 ? this.alphasCumprod[tPrev] : this.alphasCumprod[0];
    const betaProd = f32(1 - alphaProd);
    const betaProdPrev = f32(1 - alphaProdPrev);
    const sqrtBeta = f32(Math.sqrt(betaProd));
    const sqrtAlpha = f32(Math.sqrt(alphaProd));
    const variance = f32(f32(betaProdPrev / betaProd) * f32(1 - f32(alphaProd / alphaProdPrev)));
    const stdDev = f32(this.eta * f32(Math.sqrt(variance)));
    const directionCoef = f32(Math.sqrt(f32(f32(1 - alphaProdPrev) - f32(stdDev * stdDev))));
    const sqrtAlphaPrev = f32(Math.sqrt(alphaProdPrev));
    const x0 = new Float32Array(sample.length);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      x0[i] = f32(f32(sample[i] - f32(sqrtBeta * modelOutput[i])) / sqrtAlpha);
      out[i] = f32(f32(sqrtAlphaPrev * x0[i]) + f32(directionCoef * modelOutput[i]));
    }
    if (this.eta > 0) {
      const noise = drawStepNoise(this.kind, drawNoise, sample.length);
      for (let i = 0; i < out.length; i++) out[i] = f32(out[i] + f32(stdDev * noise[i]));
    }
    this.nextStep = stepIndex + 1;
    return { prevSample: out, predOriginalSample: x0 };
  }
}
