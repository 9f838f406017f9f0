// The HelloMeme paper's quality figures for one rendered frame against its target: APD (head-pose distance,
// degrees), AED (expression distance, normalised landmark displacement) and identity (descriptor cosine).
import { faceSize } from '../motion/extract-motion.ts';
import { RIGID_POINTS } from '../motion/face-regions.ts';
import { fitSimilarity3, rotate3Transposed } from '../motion/rigid-fit.ts';
import type { HeadPose } from '../types.ts';

export { cosineSimilarity } from '../face/face-match.ts';

/** Mean absolute difference of yaw, pitch and roll, in degrees. */
export function poseDistance(a: HeadPose, b: HeadPose): number {
  return (Math.abs(a.yaw - b.yaw) + Math.abs(a.pitch - b.pitch) + Math.abs(a.roll - b.roll)) / 3;
}

/** The pose a frame should show: the photo's pose plus the driver's change since its first frame. */
export function targetPose(photo: HeadPose, driverFirst: HeadPose, driverNow: HeadPose): HeadPose {
  return {
    yaw: photo.yaw + driverNow.yaw - driverFirst.yaw,
    pitch: photo.pitch + driverNow.pitch - driverFirst.pitch,
    roll: photo.roll + driverNow.roll - driverFirst.roll,
  };
}

/**
 * Expression of `frame` landmarks relative to `photo` landmarks: head motion removed by a rigid fit,
 * displacement divided by the photo's face size. Same units as MotionTrack.expressions.
 */
export function relativeExpression(photo: Float32Array, frame: Float32Array): Float32Array {
  const fit = fitSimilarity3(photo, frame, RIGID_POINTS);
  const size = faceSize(photo);
  const out = new Float32Array(photo.length);
  const [tx, ty, tz] = fit.targetCentroid;
  const [sx, sy, sz] = fit.sourceCentroid;
  for (let j = 0; j < photo.length / 3; j++) {
    const [x, y, z] = rotate3Transposed(fit.rotation, frame[j * 3] - tx, frame[j * 3 + 1] - ty, frame[j * 3 + 2] - tz);
    out[j * 3] = (x / fit.scale + sx - photo[j * 3]) / size;
    out[j * 3 + 1] = (y / fit.scale + sy - photo[j * 3 + 1]) / size;
    out[j * 3 + 2] = (z / fit.scale + sz - photo[j * 3 + 2]) / size;
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
