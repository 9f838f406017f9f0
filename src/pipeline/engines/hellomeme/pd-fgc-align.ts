// PD-FGC expression-encoder input: a 5-point Umeyama similarity (pupils, nose, mouth corners) onto a fixed 224²
// template, bicubic warp with black border, then RGB px/255·2 − 1 as 1×3×224×224. The encoder itself lives in graph/.
import type { RgbImage } from '../../types.ts';
import type { Affine } from '../../face-toolkit/affine.ts';
import { LANDMARK_POINTS } from '../../face-toolkit/landmarks-222.ts';
import { imageToSignedTensor } from './pose-quad.ts';
import { umeyama2D } from '../../face-toolkit/umeyama.ts';
import { warpAffine } from '../../face-toolkit/warp-affine.ts';

export const PD_FGC_SIZE = 224;
const PD_FGC_SOURCE_POINTS = [LANDMARK_POINTS.leftPupil, LANDMARK_POINTS.rightPupil, LANDMARK_POINTS.noseTip, LANDMARK_POINTS.leftMouthCorner, LANDMARK_POINTS.rightMouthCorner] as const;
/** template positions as fractions of the side */
export const PD_FGC_TEMPLATE = Object.freeze([0.3843, 0.27, 0.62, 0.2668, 0.503, 0.4185, 0.406, 0.5273, 0.5977, 0.525]);

/** Similarity mapping the 5 landmarks of `points` (222, interleaved) onto the template × size. */
export function pdFgcMatrix(points: ArrayLike<number>, size = PD_FGC_SIZE): Affine {
  const src = PD_FGC_SOURCE_POINTS.flatMap((p) => [points[p * 2], points[p * 2 + 1]]);
  return umeyama2D(src, PD_FGC_TEMPLATE.map((v) => v * size));
}

interface PdFgcInput {
  image: RgbImage;
  /** 1×3×224×224 in [−1, 1], RGB */
  tensor: Float32Array;
  matrix: Affine;
}

/** The aligned 224² face and its tensor for one frame (normally a 512 crop with its landmarks). */
export function buildPdFgcInput(frame: RgbImage, points: ArrayLike<number>): PdFgcInput {
  const matrix = pdFgcMatrix(points);
  const image = warpAffine(frame, matrix, PD_FGC_SIZE, PD_FGC_SIZE, { interpolation: 'bicubic' });
  return { image, tensor: imageToSignedTensor(image), matrix };
}
