// The production noise source: Philox4x32-10 known-answer vectors (Random123), determinism, and N(0, 1) moments.
import { describe, expect, it } from 'vitest';
import { GaussianNoise, philox4x32 } from '../../../../../../src/pipeline/engines/hellomeme/schedulers/gaussian-noise.ts';

describe('philox4x32', () => {
  it('matches the Random123 known-answer tests', () => {
    expect(philox4x32([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    const ones = 0xffffffff;
    expect(philox4x32([ones, ones, ones, ones], [ones, ones])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
    expect(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });
});

describe('GaussianNoise', () => {
  it('is deterministic per seed, independent of how draws are split', () => {
    const whole = new GaussianNoise(1234).next(1001);
    const split = new GaussianNoise(1234);
    const parts = [split.next(3), split.next(500), split.next(498)];
    expect(Array.from(parts.flatMap((p) => Array.from(p)))).toEqual(Array.from(whole));
    expect(Array.from(new GaussianNoise(1234).fillFrom(700, new Float32Array(10)))).toEqual(Array.from(whole.subarray(700, 710)));
    expect(split.drawn).toBe(1001);
  });

  it('gives different values for other seeds, high seed bits and streams', () => {
    const a = new GaussianNoise(1).next(8);
    expect(Array.from(new GaussianNoise(2).next(8))).not.toEqual(Array.from(a));
    expect(Array.from(new GaussianNoise(1 + 2 ** 32).next(8))).not.toEqual(Array.from(a));
    expect(Array.from(new GaussianNoise(1, 1).next(8))).not.toEqual(Array.from(a));
  });

  it('has standard normal moments over 200k draws', () => {
    const x = new GaussianNoise(7).next(200_000);
    let sum = 0;
    let sumSq = 0;
    let beyond3 = 0;
    for (const v of x) {
      sum += v;
      sumSq += v * v;
      if (Math.abs(v) > 3) beyond3++;
    }
    const mean = sum / x.length;
    const std = Math.sqrt(sumSq / x.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(std - 1)).toBeLessThan(0.01);
    // P(|z| > 3) = 0.0027
    expect(beyond3 / x.length).toBeGreaterThan(0.0020);
    expect(beyond3 / x.length).toBeLessThan(0.0034);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => new GaussianNoise(-1)).toThrow(RangeError);
    expect(() => new GaussianNoise(1.5)).toThrow(RangeError);
  });
});
