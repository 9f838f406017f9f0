// hello_3dmm.onnx's tensor contract: the 224² RGB px/255 "gt pts" crop (expand 0.35, no rotation) of a 512 crop,
// the coefficient slices used (angles, translation) and the crop → full translation. No session here.
import { MemeError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import { pointsWarpMatrix, type PointsWarp } from './alignment.ts';
import { warpAffine } from './warp-affine.ts';

export const HEAD_POSE_INPUT_SIZE = 224;
const HEAD_POSE_EXPAND_RATIO = 0.35;
/** −5 / camera z (−0.4) × the 3DMM's focal length */
export const HEAD_POSE_FOCAL = (-5 / -0.4) * 386.2879122887948;
const ANGLES_AT = 526 + 203 + 439;
const TRANSLATION_AT = ANGLES_AT + 3 + 27;

interface HeadPoseInput {
  /** 1×3×224×224, RGB, px/255 */
  tensor: Float32Array;
  warp: PointsWarp;
}

/** The 3DMM crop of an image (normally the 512 crop) around its 222 landmarks. */
export function buildHeadPoseInput(image: RgbImage, points: ArrayLike<number>): HeadPoseInput {
  const warp = pointsWarpMatrix(points, 0, HEAD_POSE_INPUT_SIZE, HEAD_POSE_EXPAND_RATIO);
  const crop = warpAffine(image, warp.matrix, HEAD_POSE_INPUT_SIZE, HEAD_POSE_INPUT_SIZE);
  const plane = HEAD_POSE_INPUT_SIZE * HEAD_POSE_INPUT_SIZE;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) tensor[c * plane + i] = crop.data[i * 3 + c] / 255;
  return { tensor, warp };
}

export interface HeadPose3dmm {
  /** (x, y, z) Euler angles in radians */
  rot: [number, number, number];
  /** (Tx, Ty, Tz) in the full image's camera */
  trans: [number, number, number];
}

/** crop_transl_to_full_transl: moves the crop-space translation to the full image centred at (fullCx, fullCy). */
export function cropToFullTranslation(crop: readonly number[], centerX: number, centerY: number, scale: number, fullCx: number, fullCy: number, focal = HEAD_POSE_FOCAL): [number, number, number] {
  const bs = (2 * focal) / scale / crop[2];
  return [crop[0] - (2 * (centerX - fullCx)) / bs, crop[1] + (2 * (centerY - fullCy)) / bs, crop[2] * scale];
}

/** Reads angles [1168:1171] and translation [1198:1201] from the coefficient vector. */
export function parseHeadPose(coefficients: ArrayLike<number>, input: HeadPoseInput, imageWidth: number, imageHeight: number): HeadPose3dmm {
  if (coefficients.length < TRANSLATION_AT + 3) throw new MemeError('BAD_WEIGHTS', `3DMM output has ${coefficients.length} values, expected ≥ ${TRANSLATION_AT + 3}`);
  const rot: [number, number, number] = [coefficients[ANGLES_AT], coefficients[ANGLES_AT + 1], coefficients[ANGLES_AT + 2]];
  const crop = [coefficients[TRANSLATION_AT], coefficients[TRANSLATION_AT + 1], coefficients[TRANSLATION_AT + 2]];
  const { centerX, centerY, scale } = input.warp;
  return { rot, trans: cropToFullTranslation(crop, centerX, centerY, scale, imageWidth * 0.5, imageHeight * 0.5) };
}
