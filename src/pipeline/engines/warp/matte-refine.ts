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

/** Local mean colour (3 channels) of the pixels where `pick` holds, and how many there were. */
function localMeans(image: RgbImage, pick: Uint8Array, r: number): { mean: Float32Array[]; count: Float32Array } {
  const n = image.width * image.height;
  const count = boxSums(Float32Array.from(pick), image.width, image.height, r);
  const mean = [0, 1, 2].map((c) => {
    const channel = new Float32Array(n);
    for (let p = 0; p < n; p++) if (pick[p]) channel[p] = image.data[p * 3 + c];
    const sums = boxSums(channel, image.width, image.height, r);
    for (let p = 0; p < n; p++) if (count[p] > 0) sums[p] /= count[p];
    return sums;
  });
  return { mean, count };
}

/**
 * Person opacity 0..255 per pixel: sure pixels as the model says; unsure ones by whether their colour is
 * nearer the sure person or the sure background within `radius` pixels (the model's value where only one
 * side is in reach).
 */
export function refineMatte(image: RgbImage, person: Uint8Array, radius: number): Uint8Array {
  const n = image.width * image.height;
  const unsure = (v: number) => v > SURE_BACKGROUND && v < SURE_PERSON;
  const out = Uint8Array.from(person, (v) => (v <= SURE_BACKGROUND ? 0 : v >= SURE_PERSON ? 255 : v));
  let any = false;
  for (let p = 0; p < n && !any; p++) any = unsure(person[p]);
  if (!any) return out;
  const fg = localMeans(image, Uint8Array.from(person, (v) => (v >= SURE_PERSON ? 1 : 0)), radius);
  const bg = localMeans(image, Uint8Array.from(person, (v) => (v <= SURE_BACKGROUND ? 1 : 0)), radius);
  const d = image.data;
  for (let p = 0; p < n; p++) {
    if (!unsure(person[p]) || fg.count[p] === 0 || bg.count[p] === 0) continue;
    let toPerson = 0;
    let toBackground = 0;
    for (let c = 0; c < 3; c++) {
      toPerson += (d[p * 3 + c] - fg.mean[c][p]) ** 2;
      toBackground += (d[p * 3 + c] - bg.mean[c][p]) ** 2;
    }
    const [dp, db] = [Math.sqrt(toPerson), Math.sqrt(toBackground)];
    if (dp + db < 8) continue; // both sides look alike: colour cannot tell, keep the model's guess
    const share = db / (dp + db); // 1 when it looks like the person, 0 like the background
    out[p] = Math.round(255 * Math.min(1, Math.max(0, (share - 0.25) / 0.25)));
  }
  return out;
}
