// Every scheduler golden in test/golden, replayed step by step (closed loop, recorded noise): timesteps
// exact, sigmas and alphas_cumprod to float32 rounding, every latent within 1e-4 max abs.
import { describe, expect, it } from 'vitest';
import { DdimScheduler } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/ddim.ts';
import { DpmSolverSdeScheduler } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/dpm-solver-sde.ts';
import { LcmScheduler } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/lcm.ts';
import { scaledLinearAlphasCumprod } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/noise-schedule.ts';
import { loadSchedulerGolden, replay, tensor } from './golden-replay.ts';

const TOLERANCE = 1e-4;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
  return worst;
}

describe('noise schedule', () => {
  it('alphas_cumprod matches diffusers float32 table within 1 ulp', () => {
    const golden = loadSchedulerGolden('scheduler_dpmsolver_sde_25');
    const ours = scaledLinearAlphasCumprod();
    expect(ours.length).toBe(1000);
    expect(maxRelDiff(ours, tensor(golden, 'alphas_cumprod').data)).toBeLessThan(2.5e-7);
  });
});

describe('DPM-Solver++ 2M SDE (HelloMeme v5 default)', () => {
  const golden = loadSchedulerGolden('scheduler_dpmsolver_sde_25');

  it('has the golden timesteps and sigmas', () => {
    const scheduler = new DpmSolverSdeScheduler(25);
    expect(scheduler.timesteps).toEqual(Array.from(tensor(golden, 'timesteps').data));
    expect(scheduler.timesteps.slice(0, 3)).toEqual([999, 959, 919]);
    expect(scheduler.sigmas[25]).toBe(0);
    expect(maxRelDiff(scheduler.sigmas, tensor(golden, 'sigmas').data)).toBeLessThan(1e-6);
    expect(scheduler.initNoiseSigma).toBe(1);
  });

  it('replays all 25 steps within 1e-4, drawing noise on every step', () => {
    const errors = replay(new DpmSolverSdeScheduler(25), golden);
    expect(errors.drawPattern).toEqual(golden.manifest.noise_drawn_per_step);
    expect(errors.scaledInputs).toBeLessThan(TOLERANCE);
    expect(errors.modelOutputs).toBeLessThan(TOLERANCE);
    expect(errors.latents).toBeLessThan(TOLERANCE);
  });

  it('builds the 4-step table of the loop golden (999, 749, 500, 250: numpy rounds 499.5 to even)', () => {
    const scheduler = new DpmSolverSdeScheduler(4);
    expect(scheduler.timesteps).toEqual([999, 749, 500, 250]);
    const expected = [14.614645004272461, 4.081730842590332, 1.6182795763015747, 0.6957994699478149, 0];
    expect(maxRelDiff(scheduler.sigmas, expected)).toBeLessThan(1e-6);
  });

  it('refuses out-of-order steps and missing noise', () => {
    const scheduler = new DpmSolverSdeScheduler(4);
    const x = new Float32Array(4);
    expect(() => scheduler.step(x, 1, x, (n) => new Float32Array(n))).toThrow(/expected step 0/);
    expect(() => scheduler.step(x, 0, x)).toThrow(/no noise source/);
  });
});

describe('DDIM', () => {
  it('eta 0: replays 25 steps within 1e-4, no noise drawn', () => {
    const golden = loadSchedulerGolden('scheduler_ddim_25');
    const scheduler = new DdimScheduler(25, 0);
    expect(scheduler.timesteps).toEqual(Array.from(tensor(golden, 'timesteps').data));
    expect(scheduler.timesteps[0]).toBe(961);
    expect(scheduler.timesteps[24]).toBe(1);
    const errors = replay(scheduler, golden, 'pred_original_samples');
    expect(errors.drawPattern).toEqual(golden.manifest.noise_drawn_per_step);
    expect(errors.latents).toBeLessThan(TOLERANCE);
    expect(errors.predOriginal).toBeLessThan(TOLERANCE);
  });

  it('eta 0.5: replays 25 steps within 1e-4 with the recorded noise', () => {
    const golden = loadSchedulerGolden('scheduler_ddim_25_eta0.5');
    const errors = replay(new DdimScheduler(25, 0.5), golden, 'pred_original_samples');
    expect(errors.drawPattern).toEqual(golden.manifest.noise_drawn_per_step);
    expect(errors.latents).toBeLessThan(TOLERANCE);
    expect(errors.predOriginal).toBeLessThan(TOLERANCE);
  });
});

describe('LCM', () => {
  it('replays 4 steps within 1e-4; noise on every step but the last', () => {
    const golden = loadSchedulerGolden('scheduler_lcm_4');
    const scheduler = new LcmScheduler(4);
    expect(scheduler.timesteps).toEqual([999, 759, 499, 259]);
    expect(scheduler.timesteps).toEqual(Array.from(tensor(golden, 'timesteps').data));
    const errors = replay(scheduler, golden, 'denoised');
    expect(errors.drawPattern).toEqual([true, true, true, false]);
    expect(errors.latents).toBeLessThan(TOLERANCE);
    expect(errors.predOriginal).toBeLessThan(TOLERANCE);
  });
});
