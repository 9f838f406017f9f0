// Pixel and landmark statistics that pin what the warp engine's output looks like: border stillness, colour in
// a grey photo, and the edge energy across the hairline (a seam, tear or crease adds edges there).
import { FACE_OVAL, RIGID_POINTS } from '../../src/pipeline/motion/face-regions.ts';
import { fitSimilarity3, rotate3, rotate3Transposed } from '../../src/pipeline/motion/rigid-fit.ts';
import type { RgbImage } from '../../src/pipeline/types.ts';

/** Mean absolute difference (per channel) between `frame` and the photo over the outer `ring` pixels. */
export function borderDifference(frame: Uint8Array, photo: RgbImage, ring: number): number {
  const { width, height } = photo;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x >= ring && y >= ring && x < width - ring && y < height - ring) continue;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(frame[o + c] - photo.data[o + c]);
      count += 3;
    }
  }
  return sum / count;
}

/** Largest difference between two colour channels of any pixel: 0 for a perfectly grey image. */
export function maxChroma(frame: Uint8Array): number {
  let max = 0;
  for (let p = 0; p < frame.length; p += 3) max = Math.max(max, Math.abs(frame[p] - frame[p + 1]), Math.abs(frame[p + 1] - frame[p + 2]), Math.abs(frame[p] - frame[p + 2]));
  return max;
}

export function greyscale(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) data.fill(Math.round(0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2]), p, p + 3);
  return { ...image, data };
}

/** The face oval from ear to ear over the forehead: where face meets hair. */
const HAIRLINE: readonly number[] = FACE_OVAL.slice(FACE_OVAL.indexOf(127)).concat(FACE_OVAL.slice(0, FACE_OVAL.indexOf(356) + 1));
/** Samples taken across the hairline, inwards and outwards (pixels, scaled by face height / 200). */
const ACROSS: readonly [number, number] = [-6, 10];

function luma(data: Uint8Array, width: number, height: number, x: number, y: number): number {
  const cx = Math.min(width - 1, Math.max(0, Math.round(x)));
  const cy = Math.min(height - 1, Math.max(0, Math.round(y)));
  const o = (cy * width + cx) * 3;
  return 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
}

/** Where a photo point (xyz) goes in a frame: the head's rigid motion from `landmarks` to `target`. */
export type PointMap = (x: number, y: number, z: number) => [number, number];

export function headMotionMap(landmarks: Float32Array, target: Float32Array): PointMap {
  const fit = fitSimilarity3(landmarks, target, RIGID_POINTS);
  const [sx, sy, sz] = fit.sourceCentroid;
  const [tx, ty] = fit.targetCentroid;
  return (x, y, z) => {
    const [rx, ry] = rotate3(fit.rotation, x - sx, y - sy, z - sz);
    return [fit.scale * rx + tx, fit.scale * ry + ty];
  };
}

/** The inverse of headMotionMap for motion in the picture's plane (roll, shift, scale): frame point → photo. */
export function headMotionUnmap(landmarks: Float32Array, target: Float32Array): PointMap {
  const fit = fitSimilarity3(landmarks, target, RIGID_POINTS);
  const [sx, sy] = fit.sourceCentroid;
  const [tx, ty] = fit.targetCentroid;
  return (x, y) => {
    const [rx, ry] = rotate3Transposed(fit.rotation, (x - tx) / fit.scale, (y - ty) / fit.scale, 0);
    return [rx + sx, ry + sy];
  };
}

/**
 * Sum of |luma steps| along short lines crossing the hairline at each of its landmarks (xyz `landmarks` of the
 * photo). With `map`, each line is carried by the head's motion into the frame `data` and sampled there, so a
 * turned head crosses the same hair and skin as the photo: extra energy is a seam, tear or crease.
 */
export function hairlineEnergy(data: Uint8Array, width: number, height: number, landmarks: Float32Array, map: PointMap = (x, y) => [x, y]): number {
  const faceHeight = Math.hypot(landmarks[152 * 3] - landmarks[10 * 3], landmarks[152 * 3 + 1] - landmarks[10 * 3 + 1]);
  const scale = faceHeight / 200;
  const cx = HAIRLINE.reduce((s, i) => s + landmarks[i * 3], 0) / HAIRLINE.length;
  const cy = (landmarks[10 * 3 + 1] + landmarks[152 * 3 + 1]) / 2;
  let energy = 0;
  for (const i of HAIRLINE) {
    const [x, y, z] = [landmarks[i * 3], landmarks[i * 3 + 1], landmarks[i * 3 + 2]];
    const norm = Math.hypot(x - cx, y - cy) || 1;
    const [nx, ny] = [(x - cx) / norm, (y - cy) / norm];
    const at = (t: number) => luma(data, width, height, ...map(x + nx * t * scale, y + ny * t * scale, z));
    let previous = at(ACROSS[0]);
    for (let t = ACROSS[0] + 1; t <= ACROSS[1]; t++) {
      const next = at(t);
      energy += Math.abs(next - previous);
      previous = next;
    }
  }
  return energy;
}

/**
 * How far (pixels) the content around photo point (x, y) ended up from where `map` says it should be in
 * `frame`: the offset within ±`search` px that best matches a (2r+1)² window of the frame against the photo
 * carried by `map`'s inverse `unmap`. Near 0 when that part of the picture moved with `map`.
 */
export function motionError(frame: Uint8Array, photo: RgbImage, x: number, y: number, map: PointMap, unmap: PointMap, search = 8, r = 6): number {
  const [px, py] = map(x, y, 0);
  let best = Number.POSITIVE_INFINITY;
  let bestOffset = 0;
  for (let oy = -search; oy <= search; oy++) {
    for (let ox = -search; ox <= search; ox++) {
      let diff = 0;
      for (let wy = -r; wy <= r; wy++) {
        for (let wx = -r; wx <= r; wx++) {
          const [sx, sy] = unmap(px + wx - ox, py + wy - oy, 0);
          diff += Math.abs(luma(frame, photo.width, photo.height, px + wx, py + wy) - luma(photo.data, photo.width, photo.height, sx, sy));
        }
      }
      if (diff < best) [best, bestOffset] = [diff, Math.hypot(ox, oy)];
    }
  }
  return bestOffset;
}
