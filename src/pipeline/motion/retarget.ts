// Relative retargeting: applies a driver frame's head motion and expression (both relative to the driver's
// first frame) to the photo's own landmarks. Pure geometry; knows nothing of images.
import { RIGID_POINTS } from './face-regions.ts';
import { faceSize } from './extract-motion.ts';
import type { MotionFrame } from './motion-track.ts';
import { centroid3, eulerDegToRotation, rotate3, rotationToEulerDeg } from './rigid-fit.ts';

export interface RetargetOptions {
  /** Multiplies expression displacements (1 = as the driver). */
  expressionScale?: number;
  /** Multiplies head translation (1 = as the driver, relative to face size). */
  translationScale?: number;
}

export interface PhotoFaceGeometry {
  landmarks: Float32Array;
  centre: [number, number, number];
  size: number;
}

export function photoFaceGeometry(landmarks: Float32Array): PhotoFaceGeometry {
  return { landmarks, centre: centroid3(landmarks, RIGID_POINTS), size: faceSize(landmarks) };
}

/** Target landmark positions (xyz, image pixels) of the photo's face for one driver frame. */
export function retargetLandmarks(photo: PhotoFaceGeometry, frame: MotionFrame, options: RetargetOptions = {}, out?: Float32Array): Float32Array {
  const { landmarks, centre, size } = photo;
  const expressionScale = (options.expressionScale ?? 1) * size;
  const translationScale = (options.translationScale ?? 1) * size;
  const target = out ?? new Float32Array(landmarks.length);
  const e = frame.expression;
  const s = frame.scale;
  const [tx, ty, tz] = [0, 1, 2].map((k) => centre[k] + frame.translation[k] * translationScale);
  for (let j = 0; j * 3 < landmarks.length; j++) {
    const x = landmarks[j * 3] - centre[0] + e[j * 3] * expressionScale;
    const y = landmarks[j * 3 + 1] - centre[1] + e[j * 3 + 1] * expressionScale;
    const z = landmarks[j * 3 + 2] - centre[2] + e[j * 3 + 2] * expressionScale;
    const [rx, ry, rz] = rotate3(frame.rotation, x, y, z);
    target[j * 3] = s * rx + tx;
    target[j * 3 + 1] = s * ry + ty;
    target[j * 3 + 2] = s * rz + tz;
  }
  return target;
}

/**
 * The frame with yaw and pitch scaled by `factor` (roll kept): a flat photo cannot show the far side of a
 * head, so 2-D engines turn it less than the driver does.
 */
export function dampHeadTurn(frame: MotionFrame, factor: number): MotionFrame {
  if (factor === 1) return frame;
  const { yaw, pitch, roll } = rotationToEulerDeg(frame.rotation);
  return { ...frame, rotation: Float32Array.from(eulerDegToRotation(yaw * factor, pitch * factor, roll)) };
}
