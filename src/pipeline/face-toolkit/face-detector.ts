// Turns hello_face_det.onnx's 6 outputs into face boxes in frame pixels: GFL decode per stride, score threshold,
// hard NMS, inverse letterbox. The session is passed in as a function; ORT stays in graph/runtime.ts.
import { MemeError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import type { Affine } from './affine.ts';
import { DETECTOR_STRIDES, decodeLevel, type ScoredBox } from './gfl-decode.ts';
import { buildDetectorInput, DETECTOR_INPUT_HEIGHT, DETECTOR_INPUT_WIDTH, unletterboxBox } from './letterbox.ts';
import { hardNms } from './nms.ts';

/** Runs the detector on a 1×3×272×160 input; returns its outputs in model order (3 score maps, 3 distributions). */
export type DetectorNet = (input: Float32Array) => Promise<ArrayLike<number>[]>;

/** Decodes the raw outputs (scores for strides 8/16/32, then distributions) into frame-space boxes, best first. */
export function decodeDetections(outputs: readonly ArrayLike<number>[], matrix: Affine, frameWidth: number, frameHeight: number): ScoredBox[] {
  if (outputs.length < 6) throw new MemeError('BAD_WEIGHTS', `the face detector returned ${outputs.length} outputs, expected 6`);
  const candidates = DETECTOR_STRIDES.flatMap((stride, i) => decodeLevel({ scores: outputs[i], distributions: outputs[i + 3] }, stride, DETECTOR_INPUT_WIDTH, DETECTOR_INPUT_HEIGHT));
  return hardNms(candidates).map((b) => ({ box: unletterboxBox(b.box, matrix, frameWidth, frameHeight), score: b.score }));
}

/** Detects faces in an RGB frame with the given detector net. */
export async function detectFaces(frame: RgbImage, net: DetectorNet): Promise<ScoredBox[]> {
  const input = buildDetectorInput(frame);
  return decodeDetections(await net(input.tensor), input.matrix, frame.width, frame.height);
}
