// The 222-point landmark layout of hello_face_landmark.onnx and its tensor contract: the 128×128 BGR px/255 input,
// the planar [x…, y…] output scaled to crop pixels, and roll from the eye corners. No session or warp here.
import { MemeError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';

export const LANDMARK_COUNT = 222;
export const LANDMARK_INPUT_SIZE = 128;

// Parts, as index ranges [first, last]: contour 0-32, nose 33-47, eyebrows 48-73, left eye 74-95, right eye
// 96-117, mouth 118-181, left pupil 182-201, right pupil 202-221.

/** Named points the pipeline uses. */
export const LANDMARK_POINTS = Object.freeze({
  leftEyeCorner: 74,
  rightEyeCorner: 96,
  contourStart: 0,
  contourEnd: 32,
  noseBridge: 33,
  noseTip: 36,
  leftMouthCorner: 149,
  rightMouthCorner: 133,
  leftPupil: 182,
  rightPupil: 202,
} as const);

export interface LandmarkNetOutput {
  /** 222 points interleaved [x0, y0, ...] in 128-crop pixels */
  points: Float64Array;
  pitchRad: number;
  yawRad: number;
  /** roll from points 74 → 96 in the same space as `points` */
  rollRad: number;
  prob: number;
}

/** Roll of the eye-corner line 74 → 96 (with the toolkit's +1e-8 on dx). */
export function rollFromPoints(points: ArrayLike<number>): number {
  const a = LANDMARK_POINTS.leftEyeCorner * 2;
  const b = LANDMARK_POINTS.rightEyeCorner * 2;
  return Math.atan2(points[b + 1] - points[a + 1], points[b] - points[a] + 1e-8);
}

/** 1×3×128×128 tensor of a 128×128 RGB crop: channels in B, G, R order, px/255. */
export function buildLandmarkInput(crop: RgbImage): Float32Array {
  if (crop.width !== LANDMARK_INPUT_SIZE || crop.height !== LANDMARK_INPUT_SIZE) throw new MemeError('INTERNAL', `landmark crop must be ${LANDMARK_INPUT_SIZE}², got ${crop.width}×${crop.height}`);
  const plane = LANDMARK_INPUT_SIZE * LANDMARK_INPUT_SIZE;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) tensor[c * plane + i] = crop.data[i * 3 + (2 - c)] / 255;
  return tensor;
}

/** Parses the net's (landmark 1×444 planar, euler 1×≥2, prob) outputs. */
export function parseLandmarkOutputs(landmark: ArrayLike<number>, euler: ArrayLike<number>, prob: ArrayLike<number>): LandmarkNetOutput {
  if (landmark.length !== LANDMARK_COUNT * 2) throw new MemeError('BAD_WEIGHTS', `landmark output has ${landmark.length} values, expected ${LANDMARK_COUNT * 2}`);
  if (euler.length < 2 || prob.length < 1) throw new MemeError('BAD_WEIGHTS', 'landmark model: euler needs ≥ 2 values and prob ≥ 1');
  const points = new Float64Array(LANDMARK_COUNT * 2);
  for (let i = 0; i < LANDMARK_COUNT; i++) {
    points[i * 2] = Math.fround(landmark[i] * LANDMARK_INPUT_SIZE);
    points[i * 2 + 1] = Math.fround(landmark[LANDMARK_COUNT + i] * LANDMARK_INPUT_SIZE);
  }
  return { points, pitchRad: euler[0], yawRad: euler[1], rollRad: rollFromPoints(points), prob: prob[0] };
}
