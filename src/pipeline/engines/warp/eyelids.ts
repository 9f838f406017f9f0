// Closes the eyes when the driver blinks: where a warped eye is much narrower than the photo's, the eye is
// covered with lid skin (sampled above the eye in the photo) and a lash line, instead of a squashed eyeball.
import { type EyeKeyPoints, LEFT_EYE, LEFT_EYE_KEYS, RIGHT_EYE, RIGHT_EYE_KEYS } from '../../motion/face-regions.ts';
import type { RgbImage } from '../../types.ts';
import { blendPixel, columnSpan, distance2d, horizontalExtent } from './polygon.ts';

const EYES: [readonly number[], EyeKeyPoints][] = [
  [LEFT_EYE, LEFT_EYE_KEYS],
  [RIGHT_EYE, RIGHT_EYE_KEYS],
];

/** Lid gap over eye width. */
export function eyeOpenness(landmarks: Float32Array, keys: EyeKeyPoints, stride: number): number {
  const width = distance2d(landmarks, keys.outer, keys.inner, stride);
  return width > 0 ? distance2d(landmarks, keys.upper, keys.lower, stride) / width : 0;
}

/** 0 when the target eye is as open as the photo's, 1 when it is shut. */
export function eyeClosure(sourceOpenness: number, targetOpenness: number): number {
  if (sourceOpenness < 0.08) return 0; // the photo's eye is already closed: nothing to cover
  const ratio = targetOpenness / sourceOpenness;
  return Math.max(0, Math.min(1, (0.75 - ratio) / 0.5));
}

function lidColour(photo: RgbImage, landmarks: Float32Array, keys: EyeKeyPoints): [number, number, number] {
  const x = Math.round(landmarks[keys.lid * 3]);
  const y = Math.round(landmarks[keys.lid * 3 + 1]);
  const sum = [0, 0, 0];
  let count = 0;
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const px = Math.min(photo.width - 1, Math.max(0, x + dx));
      const py = Math.min(photo.height - 1, Math.max(0, y + dy));
      const o = (py * photo.width + px) * 3;
      for (let c = 0; c < 3; c++) sum[c] += photo.data[o + c];
      count++;
    }
  }
  return [sum[0] / count, sum[1] / count, sum[2] / count];
}

function coverEye(out: Uint8Array, width: number, height: number, target: Float32Array, contour: readonly number[], skin: [number, number, number], closure: number): void {
  const [left, right] = horizontalExtent(target, contour, 3);
  const span = Math.max(1, right - left);
  for (let x = Math.max(0, Math.floor(left) - 1); x <= Math.min(width - 1, Math.ceil(right) + 1); x++) {
    const column = columnSpan(target, contour, 3, x + 0.5);
    if (!column) continue;
    // Grow the cover by a pixel so no white of the eye peeks out at the rim.
    const top = column[0] - 1;
    const bottom = column[1] + 1;
    const u = (x + 0.5 - left) / span;
    for (let y = Math.max(0, Math.floor(top)); y <= Math.min(height - 1, Math.ceil(bottom)); y++) {
      const coverage = Math.min(1, y + 1 - top, bottom - y);
      if (coverage <= 0) continue;
      const nearLash = Math.abs(y + 0.5 - column[1]) < Math.max(1, (bottom - top) * 0.25) && u > 0.05 && u < 0.95;
      const [r, g, b] = nearLash ? [skin[0] * 0.35, skin[1] * 0.3, skin[2] * 0.3] : skin;
      blendPixel(out, y * width + x, r, g, b, closure * coverage);
    }
  }
}

/** Covers each eye of `target` that is markedly more closed than the same eye in the photo. */
export function paintEyelids(out: Uint8Array, photo: RgbImage, source: Float32Array, target: Float32Array): void {
  for (const [contour, keys] of EYES) {
    const closure = eyeClosure(eyeOpenness(source, keys, 3), eyeOpenness(target, keys, 3));
    if (closure <= 0.01) continue;
    coverEye(out, photo.width, photo.height, target, contour, lidColour(photo, source, keys), closure);
  }
}
