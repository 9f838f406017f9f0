import { describe, expect, it } from 'vitest';
import { headPoseFromLandmarks } from '../../../../src/pipeline/face/head-pose.ts';

// A frontal face's four pose landmarks (x right, y down, z away from the camera), centred on the origin.
const FRONTAL: Record<number, [number, number, number]> = {
  10: [0, -100, 0], // forehead
  152: [0, 100, 0], // chin
  234: [-80, 0, 0], // cheek edge on the image's left
  454: [80, 0, 0], // cheek edge on the image's right
};

type Rotation = (p: [number, number, number]) => [number, number, number];

/** Turning towards the image's right: the nose (towards -z) swings to +x. */
const turnRight = (deg: number): Rotation => {
  const a = (deg * Math.PI) / 180;
  return ([x, y, z]) => [x * Math.cos(a) - z * Math.sin(a), y, x * Math.sin(a) + z * Math.cos(a)];
};
/** Tilting up: the chin (+y) comes towards the camera (-z). */
const tiltUp = (deg: number): Rotation => {
  const a = (deg * Math.PI) / 180;
  return ([x, y, z]) => [x, y * Math.cos(a) + z * Math.sin(a), -y * Math.sin(a) + z * Math.cos(a)];
};
/** Clockwise as seen in the image (y points down). */
const clockwise = (deg: number): Rotation => {
  const a = (deg * Math.PI) / 180;
  return ([x, y, z]) => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a), z];
};

function landmarks(...rotations: Rotation[]): Float32Array {
  const out = new Float32Array(478 * 3);
  for (const [index, point] of Object.entries(FRONTAL)) {
    const p = rotations.reduce((q, r) => r(q), point);
    out.set([p[0] + 256, p[1] + 256, p[2]], Number(index) * 3);
  }
  return out;
}

/** Left-right mirror as the mesh reports it: x reflects, and the cheek labels follow the image side. */
function mirror(points: Float32Array, width: number): Float32Array {
  const out = points.slice();
  for (let i = 0; i < out.length; i += 3) out[i] = width - out[i];
  const swap = (a: number, b: number) => {
    const kept = out.slice(a * 3, a * 3 + 3);
    out.copyWithin(a * 3, b * 3, b * 3 + 3);
    out.set(kept, b * 3);
  };
  swap(234, 454);
  return out;
}

describe('headPoseFromLandmarks', () => {
  it('is zero for a frontal upright face', () => {
    const pose = headPoseFromLandmarks(landmarks());
    expect(pose.yaw).toBeCloseTo(0, 6);
    expect(pose.pitch).toBeCloseTo(0, 6);
    expect(pose.roll).toBeCloseTo(0, 6);
  });

  it('recovers each angle with its documented sign', () => {
    expect(headPoseFromLandmarks(landmarks(turnRight(25))).yaw).toBeCloseTo(25, 4);
    expect(headPoseFromLandmarks(landmarks(tiltUp(15))).pitch).toBeCloseTo(15, 4);
    expect(headPoseFromLandmarks(landmarks(clockwise(10))).roll).toBeCloseTo(10, 4);
  });

  it('separates combined rotations (pitch, then yaw, then roll)', () => {
    const pose = headPoseFromLandmarks(landmarks(tiltUp(-12), turnRight(-30), clockwise(8)));
    expect(pose.yaw).toBeCloseTo(-30, 3);
    expect(pose.pitch).toBeCloseTo(-12, 3);
    expect(pose.roll).toBeCloseTo(8, 3);
  });

  it('flips yaw and roll but keeps pitch under a left-right mirror', () => {
    const original = landmarks(tiltUp(10), turnRight(20), clockwise(-7));
    const pose = headPoseFromLandmarks(original);
    const mirrored = headPoseFromLandmarks(mirror(original, 512));
    expect(mirrored.yaw).toBeCloseTo(-pose.yaw, 4);
    expect(mirrored.roll).toBeCloseTo(-pose.roll, 4);
    expect(mirrored.pitch).toBeCloseTo(pose.pitch, 4);
  });
});
