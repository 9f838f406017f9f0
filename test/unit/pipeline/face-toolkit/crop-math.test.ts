// The static 512 crop, 3DMM translation and Umeyama, by hand (test/unit/pipeline/engines/hellomeme/inputs checks
// them against HelloMeme's own code).
import { describe, expect, it } from 'vitest';
import { transformPoints } from '../../../../src/pipeline/face-toolkit/affine.ts';
import { computeCropRect, cropClip512, mapPointsToCrop } from '../../../../src/pipeline/face-toolkit/crop-512.ts';
import { cropToFullTranslation, HEAD_POSE_FOCAL } from '../../../../src/pipeline/face-toolkit/head-pose-3dmm.ts';
import { umeyama2D } from '../../../../src/pipeline/face-toolkit/umeyama.ts';
import type { RgbImage } from '../../../../src/pipeline/types.ts';

/** 222 points whose bbox is exactly [x0, x1] × [y0, y1]. */
function boxPoints(x0: number, y0: number, x1: number, y1: number): Float64Array {
  const p = new Float64Array(444);
  for (let i = 0; i < 222; i++) p.set([x0 + ((x1 - x0) * (i % 7)) / 6, y0 + ((y1 - y0) * (i % 5)) / 4], i * 2);
  return p;
}

describe('crop to 512', () => {
  it('takes 3× the face size, shifts up by 0.115·S and truncates the corners', () => {
    expect(computeCropRect([boxPoints(400, 300, 500, 420)], 1000, 800)).toEqual({ x0: 270, y0: 138, x1: 630, y1: 498 });
  });

  it('pushes a box that leaves the frame back inside (top-left and right edges)', () => {
    expect(computeCropRect([boxPoints(10, 10, 110, 130)], 1000, 800)).toEqual({ x0: 0, y0: 0, x1: 360, y1: 360 });
    expect(computeCropRect([boxPoints(300, 150, 390, 250)], 400, 400)).toEqual({ x0: 99, y0: 15, x1: 399, y1: 315 });
  });

  it('uses the union of all frames and their mean size, capped at min(H, W) − 1', () => {
    expect(computeCropRect([boxPoints(100, 100, 200, 220), boxPoints(140, 100, 240, 220)], 1000, 1000)).toEqual({ x0: 0, y0: 0, x1: 360, y1: 360 });
    const capped = computeCropRect([boxPoints(20, 20, 80, 80)], 100, 100);
    expect(capped.x1 - capped.x0).toBe(99);
  });

  it('maps landmarks and resizes crops to 512², or stretches the whole frame', () => {
    expect([...mapPointsToCrop([450, 318], { x0: 270, y0: 138, x1: 630, y1: 498 })]).toEqual([256, 256]);
    const frame: RgbImage = { width: 400, height: 200, data: new Uint8Array(400 * 200 * 3).fill(90) };
    const stretched = cropClip512([frame], [boxPoints(100, 50, 200, 150)], false);
    expect(stretched.rect).toBeNull();
    expect([stretched.frames[0].width, stretched.frames[0].height, stretched.frames[0].data[1000]]).toEqual([512, 512, 90]);
    expect([stretched.landmarks[0][0], stretched.landmarks[0][1]]).toEqual([128, 128]);
  });
});

describe('3DMM translation', () => {
  it('moves the crop translation to the full image (f = 4828.5989…)', () => {
    expect(HEAD_POSE_FOCAL).toBeCloseTo(4828.598903609935, 9);
    const bs = (2 * HEAD_POSE_FOCAL) / 0.5 / 2;
    const t = cropToFullTranslation([0.1, -0.2, 2], 300, 200, 0.5, 256, 256);
    expect(t[0]).toBeCloseTo(0.1 - 88 / bs, 12);
    expect(t[1]).toBeCloseTo(-0.2 - 112 / bs, 12);
    expect(t[2]).toBeCloseTo(1, 12);
  });
});

describe('Umeyama and the PD-FGC crop', () => {
  it('recovers a similarity exactly', () => {
    const src = [0, 0, 10, 0, 0, 5, 7, 3, -4, 8];
    const c = 2 * Math.cos(Math.PI / 6);
    const s = 2 * Math.sin(Math.PI / 6);
    const dst = transformPoints(src, [c, -s, 5, s, c, -3]);
    umeyama2D(src, dst).forEach((v, i) => void expect(v).toBeCloseTo([c, -s, 5, s, c, -3][i], 9));
  });

  it('never returns a reflection (det > 0) for mirrored points', () => {
    const m = umeyama2D([0, 0, 10, 0, 0, 5, 7, 3], [0, 0, -10, 0, 0, 5, -7, 3]);
    expect(m[0] * m[4] - m[1] * m[3]).toBeGreaterThan(0);
  });
});
