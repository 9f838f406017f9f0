// The HelloMeme paper's motion figures for one output frame against its driver frame: the pose the frame
// should show (for APD, head-pose distance in degrees) and AED (expression distance, normalised landmark
// displacement with head motion removed).
import { faceSize } from '../motion/face-signals.ts';
import { RIGID_POINTS } from '../motion/face-regions.ts';
import { fitSimilarity3, rotate3Transposed } from '../motion/rigid-fit.ts';
import type { HeadPose } from '../types.ts';

/** The pose a frame should show: the photo's pose plus the driver's change since its first frame. */
export function targetPose(photo: HeadPose, driverFirst: HeadPose, driverNow: HeadPose): HeadPose {
  return {
    yaw: photo.yaw + driverNow.yaw - driverFirst.yaw,
    pitch: photo.pitch + driverNow.pitch - driverFirst.pitch,
    roll: photo.roll + driverNow.roll - driverFirst.roll,
  };
}

/**
 * Expression of `frame` landmarks relative to `reference` landmarks: head motion removed by a rigid fit,
 * displacement divided by the reference's face size. Same units as MotionTrack.expressions.
 */
export function relativeExpression(reference: Float32Array, frame: Float32Array): Float32Array {
  const fit = fitSimilarity3(reference, frame, RIGID_POINTS);
  const size = faceSize(reference);
  const out = new Float32Array(reference.length);
  const [tx, ty, tz] = fit.targetCentroid;
  const [sx, sy, sz] = fit.sourceCentroid;
  for (let j = 0; j < reference.length / 3; j++) {
    const [x, y, z] = rotate3Transposed(fit.rotation, frame[j * 3] - tx, frame[j * 3 + 1] - ty, frame[j * 3 + 2] - tz);
    out[j * 3] = (x / fit.scale + sx - reference[j * 3]) / size;
    out[j * 3 + 1] = (y / fit.scale + sy - reference[j * 3 + 1]) / size;
    out[j * 3 + 2] = (z / fit.scale + sz - reference[j * 3 + 2]) / size;
  }
  return out;
}

/** Mean 2-D distance between two expression vectors (x and y only: depth from one camera is noisy). */
export function expressionDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  const count = Math.min(a.length, b.length) / 3;
  for (let j = 0; j < count; j++) sum += Math.hypot(a[j * 3] - b[j * 3], a[j * 3 + 1] - b[j * 3 + 1]);
  return sum / count;
}
