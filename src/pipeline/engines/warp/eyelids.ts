// Closes the eyes when the driver blinks: where a warped eye is much narrower than the photo's, the eye is
// covered with lid skin (sampled around the eye in the photo) and a lash line, instead of a squashed eyeball.
import { type EyeKeyPoints, LEFT_EYE, LEFT_EYE_KEYS, RIGHT_EYE, RIGHT_EYE_KEYS } from '../../motion/face-regions.ts';
import type { RgbImage } from '../../types.ts';
import { eyeOpenness } from '../../motion/face-signals.ts';
import { blendPixel, columnSpan, horizontalExtent } from './polygon.ts';

const EYES: [readonly number[], EyeKeyPoints][] = [
  [LEFT_EYE, LEFT_EYE_KEYS],
  [RIGHT_EYE, RIGHT_EYE_KEYS],
];

/**
 * Lightness of the lash line against the lid skin. Darker (0.32) drew a line the face analyzer reads as the
 * iris on trump × talking-head's blinks; at this shade a shut eye still reads shut on the contact sheets.
 */
const LASH_SHADE = 0.45;

/** 0 when the target eye is as open as the photo's, 1 when it is shut. */
function eyeClosure(sourceOpenness: number, targetOpenness: number): number {
  if (sourceOpenness < 0.08) return 0; // the photo's eye is already closed: nothing to cover
  const ratio = targetOpenness / sourceOpenness;
  return Math.max(0, Math.min(1, (0.75 - ratio) / 0.5));
}

/** Mean colour of a 5×5 patch around a landmark. */
function patchColour(photo: RgbImage, landmarks: Float32Array, point: number): [number, number, number] {
  const x = Math.round(landmarks[point * 3]);
  const y = Math.round(landmarks[point * 3 + 1]);
  const sum: [number, number, number] = [0, 0, 0];
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      const px = Math.min(photo.width - 1, Math.max(0, x + dx));
      const py = Math.min(photo.height - 1, Math.max(0, y + dy));
      const o = (py * photo.width + px) * 3;
      for (let c = 0; c < 3; c++) sum[c] += photo.data[o + c] / 25;
    }
  }
  return sum;
}

/** Lid skin: per channel the median of the skin patches around the eye (makeup, a lash or a shadow on one is outvoted). */
function lidColour(photo: RgbImage, landmarks: Float32Array, keys: EyeKeyPoints): [number, number, number] {
  const patches = keys.skin.map((p) => patchColour(photo, landmarks, p));
  const median = (c: number) => patches.map((p) => p[c]).sort((a, b) => a - b)[patches.length >> 1];
  return [median(0), median(1), median(2)];
}

function coverEye(out: Uint8Array, width: number, height: number, target: Float32Array, contour: readonly number[], skin: [number, number, number], closure: number): void {
  const [left, right] = horizontalExtent(target, contour, 3);
  for (let x = Math.max(0, Math.floor(left) - 1); x <= Math.min(width - 1, Math.ceil(right) + 1); x++) {
    const column = columnSpan(target, contour, 3, x + 0.5);
    if (!column) continue;
    // Grow the cover by a pixel so no white of the eye peeks out at the rim.
    const top = column[0] - 1;
    const bottom = column[1] + 1;
    for (let y = Math.max(0, Math.floor(top)); y <= Math.min(height - 1, Math.ceil(bottom)); y++) {
      const coverage = Math.min(1, y + 1 - top, bottom - y);
      if (coverage > 0) blendPixel(out, y * width + x, skin[0], skin[1], skin[2], closure * coverage);
    }
  }
}

/** Distance from (x, y) to the segment a–b. */
function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/**
 * The lash line of a shut eye: a dark arc where the lids meet (the lower lid's curve), thickest in the middle
 * and tapering into the corners, anti-aliased. What makes a covered eye read as shut rather than as skin.
 */
function drawLashLine(out: Uint8Array, width: number, height: number, target: Float32Array, contour: readonly number[], skin: [number, number, number], strength: number): void {
  const half = contour.length / 2;
  // Corner, the lid seam pair by pair (upper and lower lid points meet there), other corner.
  const seam: [number, number][] = [[target[contour[0] * 3], target[contour[0] * 3 + 1]]];
  for (let k = 1; k < half; k++) {
    const u = contour[k];
    const l = contour[contour.length - k];
    seam.push([(target[u * 3] + 3 * target[l * 3]) / 4, (target[u * 3 + 1] + 3 * target[l * 3 + 1]) / 4]);
  }
  seam.push([target[contour[half] * 3], target[contour[half] * 3 + 1]]);
  const eyeWidth = Math.hypot(seam[seam.length - 1][0] - seam[0][0], seam[seam.length - 1][1] - seam[0][1]);
  const thickness = Math.max(1, 0.03 * eyeWidth);
  const xs = seam.map((p) => p[0]);
  const ys = seam.map((p) => p[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - thickness - 1));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs) + thickness + 1));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - thickness - 1));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) + thickness + 1));
  const lash: [number, number, number] = [skin[0] * LASH_SHADE, skin[1] * LASH_SHADE, skin[2] * LASH_SHADE]; // darker skin, same hue: grey stays grey
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let best = Number.POSITIVE_INFINITY;
      let along = 0;
      for (let k = 0; k + 1 < seam.length; k++) {
        const d = segmentDistance(x + 0.5, y + 0.5, seam[k][0], seam[k][1], seam[k + 1][0], seam[k + 1][1]);
        if (d < best) [best, along] = [d, (k + 0.5) / (seam.length - 1)];
      }
      const taper = Math.min(1, Math.min(along, 1 - along) * 5); // thin into the corners
      const radius = thickness * (0.35 + 0.65 * taper);
      const alpha = Math.max(0, Math.min(1, radius - best + 0.5));
      if (alpha > 0) blendPixel(out, y * width + x, lash[0], lash[1], lash[2], strength * alpha);
    }
  }
}

/** Covers each eye of `target` that is markedly more closed than the same eye in the photo. */
export function paintEyelids(out: Uint8Array, photo: RgbImage, source: Float32Array, target: Float32Array): void {
  for (const [contour, keys] of EYES) {
    const closure = eyeClosure(eyeOpenness(source, keys), eyeOpenness(target, keys));
    if (closure <= 0.01) continue;
    const skin = lidColour(photo, source, keys);
    coverEye(out, photo.width, photo.height, target, contour, skin, closure);
    // The lashes show once the lids are nearly together.
    drawLashLine(out, photo.width, photo.height, target, contour, skin, Math.max(0, (closure - 0.4) / 0.6));
  }
}
