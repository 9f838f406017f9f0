// Paste-back of the generated crop into the photo: the feathered mask's shape and the blend's boundaries.
import { describe, expect, it } from 'vitest';
import { createPasteBack, featheredMask } from '../../../../../../src/pipeline/engines/hellomeme/paste-back.ts';
import type { RgbImage } from '../../../../../../src/pipeline/types.ts';

const solid = (width: number, height: number, value: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(value) });

describe('featheredMask', () => {
  it('is 1 in the middle, fades monotonically to near 0 at every edge, and is symmetric', () => {
    const mask = featheredMask(40, 30, 8);
    const at = (x: number, y: number) => mask[y * 40 + x];
    expect(at(20, 15)).toBe(1);
    expect(at(0, 15)).toBeLessThan(0.02);
    expect(at(39, 15)).toBeCloseTo(at(0, 15), 6);
    expect(at(20, 0)).toBeCloseTo(at(20, 29), 6);
    for (let x = 1; x < 10; x++) expect(at(x, 15)).toBeGreaterThanOrEqual(at(x - 1, 15));
    expect(at(8, 15)).toBe(1);
  });
});

describe('createPasteBack', () => {
  it('leaves the photo outside the box, puts the crop in the box centre, and blends at its edge', () => {
    const photo = solid(100, 80, 10);
    const paste = createPasteBack(photo, { x0: 20, y0: 10, x1: 70, y1: 60 });
    const out = paste(solid(32, 32, 250));
    const px = (x: number, y: number) => out[(y * 100 + x) * 3];
    expect(px(5, 5)).toBe(10);
    expect(px(80, 70)).toBe(10);
    expect(px(45, 35)).toBe(250);
    expect(px(20, 35)).toBeLessThan(40);
    expect(px(23, 35)).toBeGreaterThan(px(20, 35));
    expect(photo.data[0]).toBe(10);
  });

  it('refuses a box outside the photo', () => {
    expect(() => createPasteBack(solid(50, 50, 0), { x0: 10, y0: 10, x1: 60, y1: 40 })).toThrow(/does not fit/);
  });
});
