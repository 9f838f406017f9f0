import { describe, expect, it } from 'vitest';
import { OneEuroFilter, smoothingFactor, smoothTrack } from '../../../../src/pipeline/face/one-euro.ts';

const FPS = 30;

function filterSeries(values: number[], params: ConstructorParameters<typeof OneEuroFilter>[0]): number[] {
  const filter = new OneEuroFilter(params);
  return values.map((v, i) => filter.filter(v, i / FPS));
}

function std(values: number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
}

/** Deterministic uniform noise in [-1, 1]. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
}

describe('smoothingFactor', () => {
  it('grows with cutoff and with the time step, staying inside (0, 1)', () => {
    expect(smoothingFactor(1, 1 / 30)).toBeGreaterThan(0);
    expect(smoothingFactor(10, 1 / 30)).toBeGreaterThan(smoothingFactor(1, 1 / 30));
    expect(smoothingFactor(1, 1 / 10)).toBeGreaterThan(smoothingFactor(1, 1 / 30));
    expect(smoothingFactor(1000, 1)).toBeLessThan(1);
  });
});

describe('OneEuroFilter', () => {
  it('keeps a constant signal constant', () => {
    const out = filterSeries(Array(60).fill(42.5), {});
    for (const v of out) expect(v).toBeCloseTo(42.5, 10);
  });

  it('passes the first sample, smooths a step and converges to it', () => {
    const input = [...Array(10).fill(0), ...Array(90).fill(100)];
    const out = filterSeries(input, { minCutoff: 1, beta: 0, dCutoff: 1 });
    expect(out[0]).toBe(0);
    expect(out[10]).toBeGreaterThan(0);
    expect(out[10]).toBeLessThan(100);
    for (let i = 11; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
    expect(out[99]).toBeGreaterThan(99);
  });

  it('follows fast motion more closely with a higher beta', () => {
    const ramp = Array.from({ length: 60 }, (_, i) => i * 20); // 600 units/s
    const lagOf = (beta: number) => {
      const out = filterSeries(ramp, { minCutoff: 1, beta, dCutoff: 1 });
      return ramp[59] - out[59];
    };
    expect(lagOf(0.5)).toBeLessThan(lagOf(0));
    expect(lagOf(0)).toBeGreaterThan(0);
  });

  it('reduces large jitter on a noisy sine', () => {
    const random = noise(7);
    // 0.25 Hz motion of ±20 with ±10 jitter: the filter's lag costs less than the jitter it removes
    const clean = Array.from({ length: 300 }, (_, i) => 20 * Math.sin((2 * Math.PI * 0.25 * i) / FPS));
    const noisy = clean.map((v) => v + 10 * random());
    const out = filterSeries(noisy, { minCutoff: 1, beta: 0.05, dCutoff: 1 });
    const rawError = std(noisy.map((v, i) => v - clean[i]));
    const filteredError = std(out.map((v, i) => v - clean[i]));
    expect(filteredError).toBeLessThan(0.6 * rawError);
  });

  it('uses the real time step: a longer gap lets the output move further', () => {
    const shortGap = new OneEuroFilter({ minCutoff: 1, beta: 0 });
    shortGap.filter(0, 0);
    const longGap = new OneEuroFilter({ minCutoff: 1, beta: 0 });
    longGap.filter(0, 0);
    expect(longGap.filter(10, 0.5)).toBeGreaterThan(shortGap.filter(10, 0.01));
  });

  it('returns the last output for a repeated or backwards timestamp', () => {
    const filter = new OneEuroFilter();
    filter.filter(1, 0);
    const last = filter.filter(5, 0.1);
    expect(filter.filter(100, 0.1)).toBe(last);
    expect(filter.filter(100, 0.05)).toBe(last);
  });
});

describe('smoothTrack', () => {
  it('filters every element exactly like a scalar OneEuroFilter', () => {
    const random = noise(3);
    const track = Array.from({ length: 40 }, (_, t) => Float32Array.from([t * 2 + random(), 100 + 5 * random(), -t]));
    const params = { minCutoff: 1.5, beta: 0.05, dCutoff: 1 };
    const smoothed = smoothTrack(track, FPS, params);
    for (let element = 0; element < 3; element++) {
      const scalar = filterSeries(track.map((s) => s[element]), params);
      for (const [t, s] of smoothed.entries()) expect(s[element]).toBeCloseTo(scalar[t], 3);
    }
  });

  it('returns new arrays, keeps the first sample and rejects mismatched samples', () => {
    const track = [Float32Array.from([1, 2]), Float32Array.from([3, 4])];
    const out = smoothTrack(track, FPS);
    expect(out[0]).not.toBe(track[0]);
    expect(Array.from(out[0])).toEqual([1, 2]);
    expect(Array.from(track[1])).toEqual([3, 4]);
    expect(() => smoothTrack([new Float32Array(2), new Float32Array(3)], FPS)).toThrow(RangeError);
    expect(() => smoothTrack(track, 0)).toThrow(RangeError);
    expect(smoothTrack([], FPS)).toEqual([]);
  });
});
