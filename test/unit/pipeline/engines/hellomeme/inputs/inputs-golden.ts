// Reads test/golden/hellomeme_inputs (HelloMeme's own input code run once: see its make_golden.py and manifest):
// the numbers in cases.json and the PNG images, each stacked image cut into its square bands.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { RgbImage } from '../../../../../../src/pipeline/types.ts';
import { golden } from '../../../../../graph/golden-helpers.ts';

type Points = number[][];

export interface InputsGolden {
  reference_crop: { photo: string; photo_size: [number, number]; photo_rgb_sha256: string; landmarks: Points; crop_landmarks: Points; rect: [number, number, number, number]; crop_png: string };
  crop_geometry: { name: string; frame_size: [number, number]; landmarks: Points[]; crop_landmarks: Points[]; rect: [number, number, number, number] }[];
  head_pose: { coefficients_angles: number[]; coefficients_translation: number[]; matrix: number[]; center: [number, number]; scale: number; rot: number[]; trans: number[]; input_png: string };
  pd_fgc: { matrix: number[]; input_png: string };
  pose_images: { ref_trans: number[]; image_size: number; png: string; cases: { name: string; rot: number[][]; trans: number[][]; trans_ratio: number; first_row: number }[] };
  quads: { rects: number[][][]; image_size: number; png: string };
  prompts: { prompt: string; text: string }[];
  fps8: { clip: string; source_rate: string; source_frames: number; vfr: boolean; fps8_frames: number[] }[];
}

export const inputsGolden = (...parts: string[]) => golden('hellomeme_inputs', ...parts);

export const INPUTS: InputsGolden = JSON.parse(readFileSync(inputsGolden('cases.json'), 'utf8'));

/** [[x, y], ...] → interleaved [x0, y0, x1, y1, ...] as the toolkit keeps points. */
export function interleaved(points: Points): Float64Array {
  return Float64Array.from(points.flat());
}

export async function readPng(name: string): Promise<RgbImage> {
  const { data, info } = await sharp(inputsGolden(name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Band `index` (a side×side square) of a vertically stacked image. */
export function band(stack: RgbImage, index: number): RgbImage {
  const side = stack.width;
  return { width: side, height: side, data: stack.data.subarray(index * side * side * 3, (index + 1) * side * side * 3) };
}

/** Largest per-channel difference and how many channel values differ at all. */
export function pixelDiff(expected: RgbImage, actual: RgbImage): { max: number; differing: number } {
  if (expected.width !== actual.width || expected.height !== actual.height) throw new Error(`${actual.width}×${actual.height} != expected ${expected.width}×${expected.height}`);
  let max = 0;
  let differing = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const d = Math.abs(expected.data[i] - actual.data[i]);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { max, differing };
}

export function maxPointError(expected: Points, actual: ArrayLike<number>): number {
  let max = 0;
  expected.forEach(([x, y], i) => {
    max = Math.max(max, Math.abs(x - actual[i * 2]), Math.abs(y - actual[i * 2 + 1]));
  });
  return max;
}
