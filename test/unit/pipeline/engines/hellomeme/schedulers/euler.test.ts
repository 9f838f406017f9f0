// Euler has no golden: hand-computed steps on a tiny case, plus the properties of its sigma schedule.
import { describe, expect, it } from 'vitest';
import { EulerScheduler, eulerTimesteps } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/euler.ts';
import { scaledLinearAlphasCumprod, vpSigmas } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/noise-schedule.ts';

// σ at t = 999 (the spec's 14.6146) and at t = 0: √(β0/(1 − β0)) with β0 = 0.00085.
const SIGMA_MAX = 14.614645;
const SIGMA_MIN = Math.sqrt(0.00085 / (1 - 0.00085));

describe('Euler scheduler', () => {
  it('2 steps: timesteps 999 and 0, starts at σ_max, hand-computed updates', () => {
    const scheduler = new EulerScheduler(2);
    expect(scheduler.timesteps).toEqual([999, 0]);
    expect(scheduler.initNoiseSigma).toBeCloseTo(SIGMA_MAX, 4);
    expect(scheduler.sigmas[1]).toBeCloseTo(SIGMA_MIN, 6);
    expect(scheduler.sigmas[2]).toBe(0);

    const x = new Float32Array([10, -20]);
    const eps = new Float32Array([0.5, 0.1]);
    const scaled = scheduler.scaleModelInput(x, 0);
    const norm = Math.sqrt(SIGMA_MAX ** 2 + 1);
    expect(scaled[0]).toBeCloseTo(10 / norm, 4);
    expect(scaled[1]).toBeCloseTo(-20 / norm, 4);

    const first = scheduler.step(eps, 0, x);
    // x1 = x + ε·(σ1 − σ0); x0 = x − σ0·ε
    expect(first.prevSample[0]).toBeCloseTo(10 + 0.5 * (SIGMA_MIN - SIGMA_MAX), 4);
    expect(first.prevSample[1]).toBeCloseTo(-20 + 0.1 * (SIGMA_MIN - SIGMA_MAX), 4);
    expect(first.predOriginalSample[0]).toBeCloseTo(10 - SIGMA_MAX * 0.5, 4);

    // The last step goes to σ = 0, so it returns x0 = x − σ·ε exactly.
    const x1 = first.prevSample;
    const last = scheduler.step(eps, 1, x1);
    expect(Array.from(last.prevSample)).toEqual(Array.from(last.predOriginalSample));
    expect(last.prevSample[0]).toBeCloseTo(x1[0] - SIGMA_MIN * 0.5, 5);
  });

  it('interpolates σ at fractional timesteps and keeps the schedule decreasing', () => {
    const table = vpSigmas(scaledLinearAlphasCumprod());
    const { timesteps, sigmas } = eulerTimesteps(3);
    expect(timesteps).toEqual([999, 499.5, 0]);
    expect(sigmas[1]).toBeCloseTo((table[499] + table[500]) / 2, 5);
    const many = eulerTimesteps(25).sigmas;
    for (let i = 1; i < many.length; i++) expect(many[i]).toBeLessThan(many[i - 1]);
    expect(many[25]).toBe(0);
  });

  it('draws no noise and refuses steps out of order', () => {
    const scheduler = new EulerScheduler(4);
    expect([0, 1, 2, 3].map((i) => scheduler.drawsNoise(i))).toEqual([false, false, false, false]);
    const x = new Float32Array(2);
    expect(() => scheduler.step(x, 2, x)).toThrow(/expected step 0/);
    expect(() => new EulerScheduler(0)).toThrow(/steps must be/);
  });
});

describe('createScheduler', () => {
  it('builds each kind fresh, DPM-Solver++ 2M SDE by default, and rejects unknown names', async () => {
    const { createScheduler, DEFAULT_SCHEDULER, SCHEDULER_KINDS } = await import('../../../../../../src/pipeline/engines/hellomeme/schedulers/create-scheduler.ts');
    expect(DEFAULT_SCHEDULER).toBe('dpmpp-2m-sde');
    for (const kind of SCHEDULER_KINDS) expect(createScheduler(kind, 4).kind).toBe(kind);
    expect(createScheduler('ddim', 4, { eta: 0.5 }).drawsNoise(0)).toBe(true);
    expect(() => createScheduler('pndm', 4)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => createScheduler('lcm', 51)).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
  });
});
