// Sharpens the segmentation's soft person mask where it is unsure (light hair on a dark wall, strands against
// sky): each unsure pixel is compared with the colours of the confident person and confident background pixels
// around it, and takes the side it looks like. The selfie model alone left hair strands behind as background.
import type { RgbImage } from '../../types.ts';

/** Model probabilities (0..255) at or below / at or above which a pixel is taken as it is. */
const SURE_BACKGROUND = 4;
const SURE_PERSON = 220;

/** Sums of `values` (one channel, width×height) over a (2r+1)² square around each pixel, clipped at the edges. */
function boxSums(values: Float32Array, width: number, height: number, r: number): Float32Array {
  const rows = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    let sum = 0;
    const o = y * width;
    for (let x = 0; x < Math.min(r, width); x++) sum += values[o + x];
    for (let x = 0; x < width; x++) {
      if (x + r < width) sum += values[o + x + r];
      if (x - r - 1 >= 0) sum -= values[o + x - r - 1];
      rows[o + x] = sum;
    }
  }
  const out = new Float32Array(values.length);
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = 0; y < Math.min(r, height); y++) sum += rows[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + r < height) sum += rows[(y + r) * width + x];
      if (y - r - 1 >= 0) sum -= rows[(y - r - 1) * width + x];
      out[y * width + x] = sum;
    }
  }
  return out;
}

/** Sure pixels of a side in reach from which its colour is fully trusted; colour distances (0..441) below which the sides look alike. */
const MIN_SURE = 4;
const ALIKE = 8;

/** The colour model is smooth over `radius`: it is gathered on a grid this many times coarser. */
const COARSE = 4;

/**
 * Per coarse cell, sums over the (2r+1)² cells around it of: sure-person R, G, B and count, then
 * sure-background R, G, B and count (8 planes of cw×ch).
 */
function localColourSums(image: RgbImage, person: Uint8Array, r: number): { planes: Float32Array[]; cw: number } {
  const cw = Math.ceil(image.width / COARSE);
  const ch = Math.ceil(image.height / COARSE);
  const planes = Array.from({ length: 8 }, () => new Float32Array(cw * ch));
  const d = image.data;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = y * image.width + x;
      const v = person[p];
      const side = v >= SURE_PERSON ? 0 : v <= SURE_BACKGROUND ? 4 : -1;
      if (side < 0) continue;
      const cell = (y / COARSE | 0) * cw + (x / COARSE | 0);
      planes[side][cell] += d[p * 3];
      planes[side + 1][cell] += d[p * 3 + 1];
      planes[side + 2][cell] += d[p * 3 + 2];
      planes[side + 3][cell] += 1;
    }
  }
  return { planes: planes.map((plane) => boxSums(plane, cw, ch, r)), cw };
}

/**
 * Person opacity 0..255 per pixel: sure pixels as the model says; unsure ones by whether their colour is
 * nearer the sure person or the sure background within `radius` pixels (the model's value where only one
 * side is in reach).
 */
export function refineMatte(image: RgbImage, person: Uint8Array, radius: number): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  let unsure = 0;
  for (let p = 0; p < n; p++) {
    const v = person[p];
    out[p] = v <= SURE_BACKGROUND ? 0 : v >= SURE_PERSON ? 255 : v;
    if (v > SURE_BACKGROUND && v < SURE_PERSON) unsure++;
  }
  if (unsure === 0) return out;
  const { planes, cw } = localColourSums(image, person, Math.max(1, Math.round(radius / COARSE)));
  const ch = planes[0].length / cw;
  const local = new Float32Array(8);
  const d = image.data;
  for (let y = 0; y < image.height; y++) {
    // The coarse sums are read bilinearly between cell centres: taken cell by cell, the colour model jumped at
    // every cell edge and the matte's hair edges came out in COARSE-pixel squares.
    const gy = Math.min(ch - 1, Math.max(0, (y + 0.5) / COARSE - 0.5));
    const y0 = Math.max(0, Math.min(ch - 2, Math.floor(gy)));
    const fy = ch > 1 ? gy - y0 : 0;
    for (let x = 0; x < image.width; x++) {
      const p = y * image.width + x;
      const v = person[p];
      if (v <= SURE_BACKGROUND || v >= SURE_PERSON) continue;
      const gx = Math.min(cw - 1, Math.max(0, (x + 0.5) / COARSE - 0.5));
      const x0 = Math.max(0, Math.min(cw - 2, Math.floor(gx)));
      const fx = cw > 1 ? gx - x0 : 0;
      const c00 = y0 * cw + x0;
      const c10 = c00 + (cw > 1 ? 1 : 0);
      const c01 = c00 + (ch > 1 ? cw : 0);
      const c11 = c01 + (cw > 1 ? 1 : 0);
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let k = 0; k < 8; k++) {
        const plane = planes[k];
        local[k] = plane[c00] * w00 + plane[c10] * w10 + plane[c01] * w01 + plane[c11] * w11;
      }
      const [fr, fg, fb, fn, br, bg, bb, bn] = local;
      if (fn <= 0 || bn <= 0) continue; // one side out of reach: keep the model's value
      const r = d[p * 3];
      const g = d[p * 3 + 1];
      const b = d[p * 3 + 2];
      const dp = Math.sqrt((r - fr / fn) ** 2 + (g - fg / fn) ** 2 + (b - fb / fn) ** 2);
      const db = Math.sqrt((r - br / bn) ** 2 + (g - bg / bn) ** 2 + (b - bb / bn) ** 2);
      const share = db / (dp + db || 1); // 1 when it looks like the person, 0 like the background
      const byColour = 255 * Math.min(1, Math.max(0, (share - 0.25) / 0.25));
      // Trust in the colours fades in (no hard switch, which drew the switch's own edges into the matte): with
      // few sure pixels of a side in reach, or when both sides look alike, the model's guess stands.
      const trust = Math.min(1, Math.min(fn, bn) / MIN_SURE) * Math.min(1, Math.max(0, (dp + db - ALIKE) / ALIKE));
      out[p] = Math.round(v + (byColour - v) * trust);
    }
  }
  return out;
}
