import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.ts';
import { assertRgbImage, borderedPixels, detectionScale } from '../../../../src/pipeline/face/detection-input.ts';

describe('detectionScale', () => {
  it('keeps images up to the limit and fits larger ones by their longer side', () => {
    expect(detectionScale(512, 512)).toBe(1);
    expect(detectionScale(1024, 600)).toBe(1);
    expect(detectionScale(2048, 1024)).toBe(0.5);
    expect(detectionScale(1000, 4000)).toBe(0.256);
  });
});

describe('borderedPixels', () => {
  it('places the pixels inside a constant border, as floats', () => {
    const image = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 250, 251, 252]) };
    const out = borderedPixels(image, { top: 1, bottom: 0, left: 1, right: 2 }, 127);
    // output is 5 wide, 2 high
    expect(out.length).toBe(5 * 2 * 3);
    expect(Array.from(out.subarray(0, 15))).toEqual(Array(15).fill(127));
    expect(Array.from(out.subarray(15, 18))).toEqual([127, 127, 127]);
    expect(Array.from(out.subarray(18, 24))).toEqual([1, 2, 3, 250, 251, 252]);
    expect(Array.from(out.subarray(24, 30))).toEqual(Array(6).fill(127));
  });
});

describe('assertRgbImage', () => {
  it('accepts a matching buffer and rejects bad sizes with NOT_AN_IMAGE', () => {
    expect(() => assertRgbImage({ width: 2, height: 2, data: new Uint8Array(12) })).not.toThrow();
    for (const bad of [
      { width: 2, height: 2, data: new Uint8Array(11) },
      { width: 0, height: 2, data: new Uint8Array(0) },
      { width: 1.5, height: 2, data: new Uint8Array(9) },
    ]) {
      expect(() => assertRgbImage(bad)).toThrow(InputError);
      try {
        assertRgbImage(bad);
      } catch (error) {
        expect((error as InputError).code).toBe('NOT_AN_IMAGE');
      }
    }
  });
});
