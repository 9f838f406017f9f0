// Alignment crop matrices, Smoother222 and the tracker's de-duplication, against hand-computed values.
import { describe, expect, it } from 'vitest';
import { transformPoints } from '../../../../src/pipeline/face-toolkit/affine.ts';
import { alignFace, boxWarpMatrix, pointsWarpMatrix } from '../../../../src/pipeline/face-toolkit/alignment.ts';
import { duplicateTracks, trackIou } from '../../../../src/pipeline/face-toolkit/face-tracking.ts';
import { parseLandmarkOutputs, rollFromPoints } from '../../../../src/pipeline/face-toolkit/landmarks-222.ts';
import { oneEuroStep, SMOOTHER_222_GROUPS, Smoother222, smoothingK } from '../../../../src/pipeline/face-toolkit/smoother-222.ts';

const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 9) => expected.forEach((v, i) => void expect(actual[i]).toBeCloseTo(v, digits));

describe('alignment crops', () => {
  it('crops a box at scale 128/max(w, h)·0.85 with its centre at (64, 64)', () => {
    close(boxWarpMatrix([10, 20, 110, 220]), [0.544, 0, 31.36, 0, 0.544, -1.28]);
  });

  it('sizes the "gt pts" crop on the rotated bbox and centres the transformed points', () => {
    const pts = [0, 25, 100, 25, 50, 0, 50, 50];
    const flat = pointsWarpMatrix(pts, 0);
    close(flat.matrix, [1.088, 0, 9.6, 0, 1.088, 36.8]);
    expect([flat.centerX, flat.centerY, flat.scale]).toEqual([50, 25, expect.closeTo(1.088, 12)]);
    const turned = pointsWarpMatrix(pts, 90);
    expect(turned.scale).toBeCloseTo(1.088, 12);
    // +x of the centre goes up, −y goes left; the result is centred on (64, 64)
    close(transformPoints(pts, turned.matrix), [64, 118.4, 64, 9.6, 36.8, 64, 91.2, 64]);
  });

  it('measures roll on the eye corners 74 → 96', () => {
    const pts = new Float64Array(444);
    pts.set([10, 10], 148);
    pts.set([20, 20], 192);
    expect(rollFromPoints(pts)).toBeCloseTo(Math.PI / 4, 6);
  });
});

/** A landmark "net" (plain function) answering a circle of points around the crop centre, eye line tilted by tiltDeg. */
function tiltedNet(tiltDeg: number) {
  const t = (tiltDeg * Math.PI) / 180;
  const planar = new Float32Array(444);
  for (let i = 0; i < 222; i++) {
    planar[i] = (64 + 40 * Math.cos((2 * Math.PI * i) / 222)) / 128;
    planar[222 + i] = (64 + 40 * Math.sin((2 * Math.PI * i) / 222)) / 128;
  }
  [
    [74, -20],
    [96, 20],
  ].forEach(([p, r]) => {
    planar[p] = (64 + r * Math.cos(t)) / 128;
    planar[222 + p] = (64 + r * Math.sin(t)) / 128;
  });
  return async () => parseLandmarkOutputs(planar, [0.1, 0.2, 0.3], [0.9]);
}
const angleOf = (m: readonly number[]) => (Math.atan2(m[1], m[0]) * 180) / Math.PI;

describe('alignFace iterations', () => {
  const frame = { width: 200, height: 200, data: new Uint8Array(200 * 200 * 3) };

  it('starts a point seed at the points’ own roll', async () => {
    const seed = new Float64Array(444);
    for (let i = 0; i < 222; i++) seed.set([100 + 30 * Math.cos(i), 100 + 30 * Math.sin(i)], i * 2);
    seed.set([90, 90], 148);
    seed.set([110, 110], 192);
    const face = await alignFace(frame, tiltedNet(0), { points: seed }, 1);
    expect(angleOf(face.matrix)).toBeCloseTo(45, 6);
  });

  it('refines at the crop-relative roll the net reports, as the reference does', async () => {
    const face = await alignFace(frame, tiltedNet(30), { box: [50, 50, 150, 150] });
    // absolute roll after a 30° crop would be 60°; the reference re-crops at the net's own 30°
    expect(angleOf(face.matrix)).toBeCloseTo(30, 4);
    expect(face.cropRollRad).toBeCloseTo(Math.PI / 6, 5);
    expect(rollFromPoints(face.points)).toBeCloseTo(Math.PI / 3, 5);
    expect(face.prob).toBeCloseTo(0.9, 6);
  });
});

describe('Smoother222', () => {
  it('maps motion to k piecewise-linearly per group', () => {
    const [contour, nose, eyebrows] = SMOOTHER_222_GROUPS;
    expect(smoothingK(0.0025, contour)).toBeCloseTo(0.025, 12);
    expect(smoothingK(0.0125, contour)).toBeCloseTo(0.175, 12);
    expect(smoothingK(0.03, contour)).toBe(0.3);
    expect(smoothingK(0.0115, nose)).toBeCloseTo(0.365, 12);
    expect(smoothingK(0.5, eyebrows)).toBe(0.5);
    expect(contour.statRange).toEqual([9, 23]);
  });

  it('steps the filter with k as the time step (x 0 → 1, k 0.5 → 0.84673)', () => {
    const out = new Float64Array(1);
    const dxHat = new Float64Array(1);
    oneEuroStep([1], [0], 0, 1, 0.5, dxHat, out);
    expect(out[0]).toBeCloseTo(0.8467347994101125, 12);
    expect(dxHat[0]).toBeCloseTo(1.5170939859895523, 12);
  });

  it('passes the first frame, holds still points, and follows a fast move per part', () => {
    const smoother = new Smoother222();
    const first = Float64Array.from({ length: 444 }, (_, i) => i * 0.5);
    expect([...smoother.smooth(first, 100)]).toEqual([...first]);
    expect([...smoother.smooth(first, 100)]).toEqual([...first]);
    // every point moves 3 px right at face size 100: d = 0.03 > 0.02, so k = the high value of each group
    const moved = first.map((v, i) => (i % 2 === 0 ? v + 3 : v));
    const out = smoother.smooth(moved, 100);
    expect(out[0] - first[0]).toBeCloseTo(2.5440521415095807, 9); // contour, k 0.3
    expect(out[2 * 40] - first[2 * 40]).toBeCloseTo(2.814226032934803, 9); // nose, k 0.7
    expect(out[2 * 60] - first[2 * 60]).toBeCloseTo(2.7342952938487928, 9); // eyebrows, k 0.5
    expect(out[1]).toBe(first[1]); // y did not move
  });
});

describe('tracker de-duplication', () => {
  it('computes IoU as the tracker does', () => {
    expect(trackIou([0, 0, 100, 100], [10, 10, 110, 110])).toBeCloseTo(8100 / 11900, 12);
    expect(trackIou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
  });

  it('drops the smaller of overlapping tracks, the later one on a tie, and keeps separate faces', () => {
    expect([...duplicateTracks([[0, 0, 100, 100], [10, 10, 110, 110]], new Set())]).toEqual([1]);
    expect([...duplicateTracks([[0, 0, 50, 50], [0, 0, 100, 100]], new Set())]).toEqual([0]);
    expect([...duplicateTracks([[0, 0, 100, 100], [300, 300, 400, 400]], new Set())]).toEqual([]);
    // an already-dropped track takes no part
    expect([...duplicateTracks([[0, 0, 100, 100], [0, 0, 50, 50]], new Set([0]))]).toEqual([0]);
  });
});
