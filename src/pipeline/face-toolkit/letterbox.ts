// The detector's letterbox: an aspect-preserving, centred fit of the whole frame into 160×272 with black borders
// (HelloMeme's NanoDet get_resize_matrix + warpPerspective), the BGR mean/std input tensor, and the inverse box map.
import type { RgbImage } from '../types.ts';
import { type Affine, invertAffine, transformPoints } from './affine.ts';
import { warpAffine } from './warp-affine.ts';

export const DETECTOR_INPUT_WIDTH = 160;
export const DETECTOR_INPUT_HEIGHT = 272;
/** per channel in B, G, R order */
const DETECTOR_MEAN_BGR = [103.53, 116.28, 123.675] as const;
const DETECTOR_STD_BGR = [57.375, 57.12, 58.395] as const;

/** Frame → detector-input matrix: scale min(dw/W, dh/H) about the frame centre, centre → (dw/2, dh/2). */
export function letterboxMatrix(frameWidth: number, frameHeight: number, inputWidth = DETECTOR_INPUT_WIDTH, inputHeight = DETECTOR_INPUT_HEIGHT): Affine {
  const ratio = frameWidth / frameHeight < inputWidth / inputHeight ? inputHeight / frameHeight : inputWidth / frameWidth;
  return [ratio, 0, inputWidth / 2 - (ratio * frameWidth) / 2, 0, ratio, inputHeight / 2 - (ratio * frameHeight) / 2];
}

interface DetectorInput {
  /** 1×3×272×160, BGR, (px − mean)/std */
  tensor: Float32Array;
  /** frame → input */
  matrix: Affine;
}

/** Letterboxes an RGB frame and normalises it as the detector expects (channel order B, G, R). */
export function buildDetectorInput(frame: RgbImage): DetectorInput {
  const matrix = letterboxMatrix(frame.width, frame.height);
  const boxed = warpAffine(frame, matrix, DETECTOR_INPUT_WIDTH, DETECTOR_INPUT_HEIGHT, { quantisation: 'perspective' });
  const plane = DETECTOR_INPUT_WIDTH * DETECTOR_INPUT_HEIGHT;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      // the model's channel c is BGR: B = RGB channel 2
      const v = boxed.data[i * 3 + (2 - c)];
      tensor[c * plane + i] = (v / 255 - DETECTOR_MEAN_BGR[c] / 255) / (DETECTOR_STD_BGR[c] / 255);
    }
  }
  return { tensor, matrix };
}

/** [x0, y0, x1, y1] */
export type BoxCorners = [number, number, number, number];

/**
 * Maps a box from detector-input space back to the frame: the 4 corners through the inverse letterbox, their
 * bounds, clipped to [0, width] × [0, height], then truncated to integers as the float→int32 cast does.
 */
export function unletterboxBox(box: readonly number[], matrix: Affine, frameWidth: number, frameHeight: number): BoxCorners {
  const corners = transformPoints([box[0], box[1], box[2], box[3], box[0], box[3], box[2], box[1]], invertAffine(matrix));
  const xs = [corners[0], corners[2], corners[4], corners[6]].map((v) => Math.fround(v));
  const ys = [corners[1], corners[3], corners[5], corners[7]].map((v) => Math.fround(v));
  const clip = (v: number, hi: number) => Math.trunc(Math.min(hi, Math.max(0, v)));
  return [clip(Math.min(...xs), frameWidth), clip(Math.min(...ys), frameHeight), clip(Math.max(...xs), frameWidth), clip(Math.max(...ys), frameHeight)];
}
