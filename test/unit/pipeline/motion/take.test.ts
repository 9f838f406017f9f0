import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { headPoseFromLandmarks } from '../../../../src/pipeline/face/head-pose.ts';
import { MESH_POINTS } from '../../../../src/pipeline/motion/face-regions.ts';
import { allocateTrack, type MotionTrack } from '../../../../src/pipeline/motion/motion-track.ts';
import { photoFaceGeometry, type PhotoFaceGeometry } from '../../../../src/pipeline/motion/retarget.ts';
import { eulerDegToRotation } from '../../../../src/pipeline/motion/rigid-fit.ts';
import { planTake } from '../../../../src/pipeline/motion/take.ts';
import { FAITHFUL_TAKE, takeVariation } from '../../../../src/pipeline/motion/take-variation.ts';
import type { Face, RgbImage } from '../../../../src/pipeline/types.ts';
import { loadRgb, referenceImage } from '../../../helpers/fixtures.ts';

/** A driver whose head turns (yaw, pitch, roll in degrees), shifts (face sizes) and grows over `frames` frames. */
function movingTrack(frames: number, end: { yaw?: number; pitch?: number; roll?: number; shiftX?: number; shiftY?: number; scale?: number }): MotionTrack {
  const track = allocateTrack(frames, MESH_POINTS, 12);
  track.found.fill(1);
  for (let i = 0; i < frames; i++) {
    const t = i / (frames - 1);
    track.rotations.set(eulerDegToRotation((end.yaw ?? 0) * t, (end.pitch ?? 0) * t, (end.roll ?? 0) * t), i * 9);
    track.translations.set([(end.shiftX ?? 0) * t, (end.shiftY ?? 0) * t, 0], i * 3);
    track.scales[i] = 1 + ((end.scale ?? 1) - 1) * t;
  }
  return track;
}

function extent(points: Float32Array): { minX: number; maxX: number; minY: number; maxY: number } {
  const xs = Array.from({ length: points.length / 3 }, (_, j) => points[j * 3]);
  const ys = Array.from({ length: points.length / 3 }, (_, j) => points[j * 3 + 1]);
  return { minX: Math.min(...xs), maxX: Math.max(...xs), minY: Math.min(...ys), maxY: Math.max(...ys) };
}

describe('a take of a driver on a photo', () => {
  let faces: FaceAnalyzer;
  let image: RgbImage;
  let face: Face;
  let photo: PhotoFaceGeometry;

  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    image = await loadRgb(referenceImage('trump.jpg'));
    face = await faces.analyze(image);
    photo = photoFaceGeometry(face.landmarks);
  });
  afterAll(() => faces.dispose());

  it('turns the head as far as the driver does, up to ±35° in yaw, pitch and roll, in 3-D', () => {
    // head-pose.ts counts yaw and pitch the other way round from rigid-fit.ts' Euler angles (roll alike).
    const sign = { yaw: -1, pitch: -1, roll: 1 };
    for (const angle of ['yaw', 'pitch', 'roll'] as const) {
      for (const degrees of [35, -35]) {
        const take = planTake(photo, movingTrack(8, { [angle]: degrees }), { width: 4000, height: 4000, fps: 12 });
        const turned = headPoseFromLandmarks(take.targets[7])[angle] - headPoseFromLandmarks(take.targets[0])[angle];
        expect(Math.abs(turned - sign[angle] * degrees), `${angle} ${degrees}`).toBeLessThan(3);
      }
    }
    // A 3-D turn, not a shear: the cheek turning away narrows, the one turning towards the camera widens.
    const take = planTake(photo, movingTrack(8, { yaw: 30 }), { width: 4000, height: 4000, fps: 12 });
    const width = (points: Float32Array, a: number, b: number) => Math.abs(points[a * 3] - points[b * 3]);
    const [noseTip, leftCheek, rightCheek] = [4, 234, 454];
    const before = [width(take.targets[0], leftCheek, noseTip), width(take.targets[0], noseTip, rightCheek)];
    const after = [width(take.targets[7], leftCheek, noseTip), width(take.targets[7], noseTip, rightCheek)];
    expect(Math.sign(after[0] - before[0])).toBe(-Math.sign(after[1] - before[1]));
    expect(Math.abs(after[0] - before[0])).toBeGreaterThan(0.1 * before[0]);
  });

  it("keeps the whole face inside the picture and never grows it beyond the driver's own change", () => {
    const track = movingTrack(24, { shiftX: 1.6, shiftY: -1.2, scale: 1.5, yaw: 30 });
    const take = planTake(photo, track, { width: image.width, height: image.height, fps: 12 });
    for (const [i, target] of take.targets.entries()) {
      const e = extent(target);
      expect(e.minX, `frame ${i}`).toBeGreaterThanOrEqual(0);
      expect(e.minY, `frame ${i}`).toBeGreaterThanOrEqual(0);
      expect(e.maxX, `frame ${i}`).toBeLessThanOrEqual(image.width - 1);
      expect(e.maxY, `frame ${i}`).toBeLessThanOrEqual(image.height - 1);
      expect(take.frames[i].scale).toBeGreaterThanOrEqual(1);
      expect(take.frames[i].scale).toBeLessThanOrEqual(track.scales[i] + 1e-6);
    }
    // The head glides: no frame-to-frame jump of more than 3% of the picture.
    for (let i = 1; i < take.frames.length; i++) {
      const jump = Math.hypot(take.frames[i].translation[0] - take.frames[i - 1].translation[0], take.frames[i].translation[1] - take.frames[i - 1].translation[1]) * photo.size;
      expect(jump, `frame ${i}`).toBeLessThan(0.03 * image.width);
    }
    // Where there is room, the driver's shift is followed as it is.
    const free = planTake(photo, movingTrack(8, { shiftX: 0.1 }), { width: image.width, height: image.height, fps: 12 });
    expect(free.frames[7].translation[0]).toBeCloseTo(0.1, 5);
  });

  it('plays the faithful take for the default seed and a different, bounded one for each other seed', () => {
    expect(takeVariation(undefined)).toEqual(FAITHFUL_TAKE);
    expect(takeVariation(0)).toEqual(FAITHFUL_TAKE);
    expect(takeVariation(1234)).toEqual(takeVariation(1234));
    const takes = Array.from({ length: 50 }, (_, k) => takeVariation(k + 1));
    for (const v of takes) {
      expect(v.rotationScale).toBeGreaterThanOrEqual(0.85);
      expect(v.rotationScale).toBeLessThanOrEqual(1.15);
      expect(v.expressionScale).toBeGreaterThanOrEqual(0.9);
      expect(v.expressionScale).toBeLessThanOrEqual(1.25);
      expect(v.startFraction).toBeGreaterThanOrEqual(0.2);
      expect(v.startFraction).toBeLessThanOrEqual(0.7);
    }
    expect(new Set(takes.map((v) => v.startFraction.toFixed(3))).size).toBeGreaterThan(45);
  });

  it('starts a later take mid-clip and glides back to the first pose before the clip wraps round', () => {
    const track = movingTrack(24, { yaw: 30 });
    const seed = Array.from({ length: 100 }, (_, k) => k + 1).find((s) => takeVariation(s).startFraction > 0.4)!;
    const take = planTake(photo, track, { width: 4000, height: 4000, fps: 12, seed });
    const yaws = take.targets.map((t) => headPoseFromLandmarks(t).yaw);
    const start = Math.round(takeVariation(seed).startFraction * 24);
    const k = takeVariation(seed).rotationScale;
    expect(Math.abs(yaws[0] - headPoseFromLandmarks(photo.landmarks).yaw)).toBeCloseTo(((30 * start) / 23) * k, -0.5);
    // No jump anywhere, the wrap included: the glide back spreads the 30° return over several frames.
    const driverStep = (30 / 23) * k;
    for (let i = 1; i < yaws.length; i++) expect(Math.abs(yaws[i] - yaws[i - 1]), `frame ${i}`).toBeLessThan(driverStep * 4);
  });
});
