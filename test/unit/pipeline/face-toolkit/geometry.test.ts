// Affine helpers, the OpenCV-style warp and bicubic resize, and the letterbox, against hand-computed values.
import { describe, expect, it } from 'vitest';
import { invertAffine, rotationMatrix2D, transformPoints } from '../../../../src/pipeline/face-toolkit/affine.ts';
import { buildDetectorInput, letterboxMatrix, unletterboxBox } from '../../../../src/pipeline/face-toolkit/letterbox.ts';
import { cvRound } from '../../../../src/pipeline/face-toolkit/opencv-rounding.ts';
import { cropImage, resizeBicubic } from '../../../../src/pipeline/face-toolkit/resize-bicubic.ts';
import { warpAffine } from '../../../../src/pipeline/face-toolkit/warp-affine.ts';
import type { RgbImage } from '../../../../src/pipeline/types.ts';

function grey(width: number, height: number, value: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(value(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}
const px = (img: RgbImage, x: number, y: number): number => img.data[(y * img.width + x) * 3];

describe('affine helpers', () => {
  it('builds OpenCV rotation matrices (90° at scale 2 about (10, 20))', () => {
    const m = rotationMatrix2D(10, 20, 90, 2);
    [0, 2, -30, -2, 0, 40].forEach((v, i) => void expect(m[i]).toBeCloseTo(v, 12));
    // the centre is fixed; a point right of it goes up (counter-clockwise on screen)
    expect([...transformPoints([10, 20, 11, 20], m)].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([10, 20, 10, 18]);
  });

  it('inverts affine maps', () => {
    const m = rotationMatrix2D(3, -4, 33, 1.7);
    const back = transformPoints(transformPoints([5, 6, -7, 8], m), invertAffine(m));
    [5, 6, -7, 8].forEach((v, i) => void expect(back[i]).toBeCloseTo(v, 10));
  });

  it('rounds half to even like cvRound', () => {
    expect([cvRound(0.5), cvRound(1.5), cvRound(2.5), cvRound(-0.5), cvRound(2.4), cvRound(2.6)].map((v) => v + 0)).toEqual([0, 2, 2, 0, 2, 3]);
  });
});

describe('warpAffine', () => {
  const ramp = grey(8, 6, (x, y) => x * 20 + y * 5);

  it('copies under the identity and shifts by whole pixels with a black border', () => {
    expect(warpAffine(ramp, [1, 0, 0, 0, 1, 0], 8, 6).data).toEqual(ramp.data);
    const shifted = warpAffine(ramp, [1, 0, 3, 0, 1, 2], 8, 6);
    expect(px(shifted, 3, 2)).toBe(px(ramp, 0, 0));
    expect(px(shifted, 7, 5)).toBe(px(ramp, 4, 3));
    expect(px(shifted, 2, 2)).toBe(0);
    expect(px(shifted, 5, 1)).toBe(0);
  });

  it('interpolates half-pixel shifts bilinearly (100 | 200 → 150)', () => {
    const halves = grey(2, 1, (x) => (x === 0 ? 100 : 200));
    const out = warpAffine(halves, [1, 0, -0.5, 0, 1, 0], 1, 1);
    expect(px(out, 0, 0)).toBe(150);
  });

  it('keeps a flat image flat under bicubic rotation away from the border', () => {
    const flat = grey(40, 40, () => 77);
    const out = warpAffine(flat, rotationMatrix2D(20, 20, 17, 1.3), 40, 40, { interpolation: 'bicubic' });
    expect(px(out, 20, 20)).toBe(77);
    expect(px(out, 25, 14)).toBe(77);
  });
});

describe('resizeBicubic', () => {
  it('is the identity at the same size and keeps flat images flat', () => {
    const ramp = grey(7, 5, (x, y) => x * 30 + y);
    expect(resizeBicubic(ramp, 7, 5).data).toEqual(ramp.data);
    expect([...new Set(resizeBicubic(grey(9, 9, () => 200), 20, 13).data)]).toEqual([200]);
  });

  it('upsamples [0, 255] ×2 to [0, 58, 197, 255] (A = −0.75, half-pixel centres, 11-bit weights)', () => {
    const out = resizeBicubic(grey(2, 1, (x) => x * 255), 4, 1);
    expect([0, 1, 2, 3].map((x) => px(out, x, 0))).toEqual([0, 58, 197, 255]);
  });

  it('crops rectangles', () => {
    const ramp = grey(6, 4, (x, y) => x + 10 * y);
    const c = cropImage(ramp, 2, 1, 5, 3);
    expect([c.width, c.height, px(c, 0, 0), px(c, 2, 1)]).toEqual([3, 2, 12, 24]);
  });
});

describe('letterbox', () => {
  it('fits a tall frame exactly (320×544 → scale 0.5, no border)', () => {
    expect([...letterboxMatrix(320, 544)]).toEqual([0.5, 0, 0, 0, 0.5, 0]);
  });

  it('centres a wide frame with bands above and below (400×272 → scale 0.4, ty 81.6)', () => {
    const m = letterboxMatrix(400, 272);
    expect(m[0]).toBeCloseTo(0.4, 12);
    expect(m[2]).toBeCloseTo(0, 12);
    expect(m[5]).toBeCloseTo(81.6, 12);
    expect(unletterboxBox([0, 81.6, 160, 190.4], m, 400, 272)).toEqual([0, 0, 400, 272]);
  });

  it('maps boxes back, clips to the frame and truncates', () => {
    const m = letterboxMatrix(320, 544);
    expect(unletterboxBox([-16, 24.7, 96.3, 300], m, 320, 544)).toEqual([0, 49, 192, 544]);
  });

  it('normalises BGR with the detector mean/std and pads with black', () => {
    const frame: RgbImage = { width: 400, height: 272, data: new Uint8Array(400 * 272 * 3) };
    for (let i = 0; i < 400 * 272; i++) frame.data.set([10, 20, 30], i * 3);
    const { tensor } = buildDetectorInput(frame);
    const plane = 160 * 272;
    const at = (c: number, x: number, y: number) => tensor[c * plane + y * 160 + x];
    expect(at(0, 80, 136)).toBeCloseTo((30 - 103.53) / 57.375, 5); // B first
    expect(at(1, 80, 136)).toBeCloseTo((20 - 116.28) / 57.12, 5);
    expect(at(2, 80, 136)).toBeCloseTo((10 - 123.675) / 58.395, 5);
    expect(at(0, 80, 10)).toBeCloseTo(-103.53 / 57.375, 5); // the band above the image is black
  });
});
