import { describe, expect, it } from 'vitest';
import { extractMotion, resampleMotion } from '../../../../src/pipeline/motion/extract-motion.ts';
import { faceSize } from '../../../../src/pipeline/motion/face-signals.ts';
import { INNER_LIPS, MESH_POINTS } from '../../../../src/pipeline/motion/face-regions.ts';
import { decodeMotionTrack, encodeMotionTrack } from '../../../../src/pipeline/motion/track-codec.ts';
import { motionFrame } from '../../../../src/pipeline/motion/motion-track.ts';
import { photoFaceGeometry, retargetLandmarks } from '../../../../src/pipeline/motion/retarget.ts';
import { eulerDegToRotation, rotate3 } from '../../../../src/pipeline/motion/rigid-fit.ts';
import type { Face } from '../../../../src/pipeline/types.ts';

function seededCloud(seed: number, scale: number, offset: [number, number]): Float32Array {
  let state = seed;
  const next = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
  const out = new Float32Array(MESH_POINTS * 3);
  for (let i = 0; i < MESH_POINTS; i++) {
    out[i * 3] = offset[0] + next() * scale;
    out[i * 3 + 1] = offset[1] + next() * scale;
    out[i * 3 + 2] = next() * scale * 0.3;
  }
  // Face-like where it matters: forehead over chin and cheeks level (the head's axes are the image's),
  // nose tip above the upper lip, inner lips below both.
  const put = (i: number, x: number, y: number) => out.set([offset[0] + x * scale, offset[1] + y * scale, 0], i * 3);
  put(10, 0, -0.5);
  put(152, 0, 0.5);
  put(234, -0.4, 0);
  put(454, 0.4, 0);
  out[4 * 3 + 1] = offset[1];
  out[0 * 3 + 1] = offset[1] + 0.1 * scale;
  INNER_LIPS.forEach((j, k) => {
    out[j * 3 + 1] = offset[1] + 0.15 * scale;
    out[j * 3] = offset[0] + ((k < 11 ? k : 20 - k) - 5) * 0.02 * scale;
  });
  return out;
}

function face(landmarks: Float32Array): Face {
  return { box: { x: 0, y: 0, width: 1, height: 1 }, score: 1, landmarks, pose: { yaw: 0, pitch: 0, roll: 0 } };
}

/** Moves mouth points down by `open` pixels, then applies a similarity about the cloud's origin. */
function driverFrame(base: Float32Array, open: number, yawDeg: number, rollDeg: number, scale: number, shift: number[]): Float32Array {
  const out = Float32Array.from(base);
  for (const i of INNER_LIPS.slice(11)) out[i * 3 + 1] += open; // lower inner lip
  const r = eulerDegToRotation(yawDeg, 0, rollDeg);
  for (let i = 0; i < MESH_POINTS; i++) {
    const [x, y, z] = rotate3(r, out[i * 3] - 256, out[i * 3 + 1] - 256, out[i * 3 + 2]);
    out[i * 3] = scale * x + 256 + shift[0];
    out[i * 3 + 1] = scale * y + 256 + shift[1];
    out[i * 3 + 2] = scale * z + shift[2];
  }
  return out;
}

describe('motion extraction and relative retargeting', () => {
  const driverBase = seededCloud(5, 200, [256, 256]);
  const frames = [
    driverBase,
    driverFrame(driverBase, 12, 0, 0, 1, [0, 0, 0]),
    driverFrame(driverBase, 0, 15, 10, 1.1, [20, -8, 0]),
  ];

  it('separates head motion from expression', () => {
    const track = extractMotion(frames.map(face), 15);
    expect(track.frameCount).toBe(3);
    const size = faceSize(driverBase);
    // Frame 1: no head motion; the lower lip moved 12 px down.
    const f1 = motionFrame(track, 1);
    expect(f1.scale).toBeCloseTo(1, 2);
    const lowerLip = INNER_LIPS[15];
    expect(f1.expression[lowerLip * 3 + 1] * size).toBeCloseTo(12, 0);
    expect(Math.abs(f1.expression[10 * 3 + 1] * size)).toBeLessThan(1); // forehead did not move
    // Frame 2: pure head motion, no expression.
    const f2 = motionFrame(track, 2);
    expect(f2.scale).toBeCloseTo(1.1, 3);
    const maxExpression = Math.max(...Array.from(f2.expression, Math.abs)) * size;
    expect(maxExpression).toBeLessThan(0.05);
  });

  it('applies the driver motion relative to the photo face, scaled to its size', () => {
    const track = extractMotion(frames.map(face), 15);
    const photoLandmarks = seededCloud(9, 100, [150, 180]); // a different, smaller face elsewhere
    const photo = photoFaceGeometry(photoLandmarks);
    const ratio = photo.size / faceSize(driverBase);
    const identity = retargetLandmarks(photo, motionFrame(track, 0), track.referenceAxes);
    // The first frame is the photo itself (depth as the geometry keeps it: relief softened, x and y as detected).
    for (let i = 0; i < identity.length; i++) expect(identity[i]).toBeCloseTo(photo.landmarks[i], 3);
    for (let i = 0; i < identity.length; i += 3) expect(photo.landmarks[i]).toBe(photoLandmarks[i]);
    const opened = retargetLandmarks(photo, motionFrame(track, 1), track.referenceAxes);
    const lowerLip = INNER_LIPS[15];
    expect(opened[lowerLip * 3 + 1] - photoLandmarks[lowerLip * 3 + 1]).toBeCloseTo(12 * ratio, 0);
    const turned = retargetLandmarks(photo, motionFrame(track, 2), track.referenceAxes);
    const dx = turned[0] - photoLandmarks[0];
    expect(Math.abs(dx)).toBeGreaterThan(1); // the head moved
  });

  it('fills frames without a face from their neighbours and rejects a clip with no face', () => {
    const track = extractMotion([null, face(frames[1]), null], 10);
    expect(Array.from(track.found)).toEqual([0, 1, 0]);
    expect(track.scales[0]).toBeCloseTo(1, 5);
    expect(() => extractMotion([null, null], 10)).toThrow(/no face/);
  });

  it('resamples to another frame rate and survives the cache encoding', () => {
    const track = extractMotion(frames.map(face), 15);
    const slower = resampleMotion(track, 10);
    expect(slower.frameCount).toBe(2);
    const decoded = decodeMotionTrack(encodeMotionTrack(track));
    expect(decoded.frameCount).toBe(3);
    expect(Array.from(decoded.expressions)).toEqual(Array.from(track.expressions));
    expect(Array.from(decoded.rotations)).toEqual(Array.from(track.rotations));
  });

  it('measures the mouth from the most closed frame, so a clip that starts mid-gasp still opens the mouth', () => {
    const gaspFirst = [driverFrame(driverBase, 12, 0, 0, 1, [0, 0, 0]), driverBase, driverFrame(driverBase, 6, 0, 0, 1, [0, 0, 0])];
    const track = extractMotion(gaspFirst.map(face), 15);
    const size = faceSize(driverBase);
    const lowerLip = INNER_LIPS[15];
    expect(motionFrame(track, 0).expression[lowerLip * 3 + 1] * size).toBeCloseTo(12, 0);
    expect(motionFrame(track, 1).expression[lowerLip * 3 + 1] * size).toBeCloseTo(0, 0);
    expect(motionFrame(track, 2).expression[lowerLip * 3 + 1] * size).toBeCloseTo(6, 0);
  });

  it('keeps a mouth that never closes open: the gap left in the most closed frame becomes a jaw drop', () => {
    const laughing = [12, 6, 9].map((open) => driverFrame(driverBase, open, 0, 0, 1, [0, 0, 0]));
    const track = extractMotion(laughing.map(face), 15);
    const size = faceSize(driverBase);
    const lowerLip = INNER_LIPS[15];
    const drops = [0, 1, 2].map((i) => motionFrame(track, i).expression[lowerLip * 3 + 1] * size);
    expect(drops[0]).toBeCloseTo(12, 0);
    expect(drops[1]).toBeCloseTo(6, 0);
    expect(drops[2]).toBeCloseTo(9, 0);
    expect(Math.abs(motionFrame(track, 1).expression[10 * 3 + 1] * size)).toBeLessThan(0.5); // the forehead stays
  });
});
