// Paints the driver's own mouth interior (teeth, tongue, darkness) where the warped mouth opens wider than the
// photo's: the driver frame's canonical crop (driver-mouths.ts) is mapped into the target inner-lip contour
// column by column and re-coloured from the driver's skin statistics to the photo's (Y, Cb, Cr mean and
// spread), so a black-and-white photo stays grey, a painting keeps its palette and the lighting matches.
import { createHash } from 'node:crypto';
import { type DriverMouths, decodeMouthAtlas, lipPoint, rgbToYcc } from '../../motion/driver-mouths.ts';
import { INNER_LIP_UPPER, INNER_LIPS } from '../../motion/face-regions.ts';
import { polygonArea } from './polygon.ts';

/**
 * Lightness: out = in · lightness (the photo's skin lightness over the driver's: light on a surface scales what
 * it reflects, so a throat in shade stays dark and teeth stay bright in any lighting), at most `ceiling`.
 * Chroma (Cb, Cr): out = (in − from) · gain + to.
 */
interface ColourMatch {
  lightness: number;
  from: Float32Array;
  gain: Float32Array;
  to: Float32Array;
  /** Brightest lightness the interior may reach: teeth in shade do not outshine the face's highlights. */
  ceiling: number;
}

/** Bounds of the lightness ratio (a near-black or blown-out skin estimate must not blow the crop out). */
const LIGHTNESS: readonly [number, number] = [0.3, 2.5];
/**
 * The ceiling sits this many of the photo's skin spreads above its mean skin lightness: teeth in shade do not
 * glow; at one spread they were no brighter than the lips and a parted mouth read as closed (trump × side-eye).
 */
const CEILING_SPREADS = 2;
const CHROMA_GAIN_MAX = 1.6;

/** Matches colours of a face with skin statistics `driver` to one with `photo` (both mean Y, Cb, Cr, then std). */
export function colourMatch(driver: Float32Array, photo: Float32Array): ColourMatch {
  const lightness = Math.min(LIGHTNESS[1], Math.max(LIGHTNESS[0], photo[0] / Math.max(1, driver[0])));
  const gain = new Float32Array(3);
  // Chroma spread may be 0 (a grey photo): then every colour collapses onto the photo's own tint.
  for (let c = 1; c < 3; c++) gain[c] = Math.min(CHROMA_GAIN_MAX, photo[3 + c] / Math.max(1, driver[3 + c]));
  return { lightness, from: driver.slice(0, 3), gain, to: photo.slice(0, 3), ceiling: Math.min(255, photo[0] + CEILING_SPREADS * Math.max(photo[3], 10)) };
}

/** Opacity of the painted interior: 0 while the target opening is not clearly larger than the photo's. */
export function mouthInteriorOpacity(sourceArea: number, targetArea: number, faceSizePx: number): number {
  const grown = targetArea - sourceArea * 1.1;
  // Fully opaque once the lips part by a few pixels: between them is the driver's real interior (its crop holds
  // the lip edges too), and a faint crop over stretched lip texture reads as no opening at all.
  const fullAt = 0.006 * faceSizePx * faceSizePx; // an opening ~8% of face size squared
  return Math.max(0, Math.min(1, grown / fullAt));
}

export function innerMouthArea(landmarks: Float32Array, stride: number): number {
  return polygonArea(landmarks, INNER_LIPS, stride);
}

/** One crop (RGB, w×h) re-coloured into the photo's palette, still RGB. */
export function recolourCrop(crop: Uint8Array, match: ColourMatch): Uint8Array {
  const out = new Uint8Array(crop.length);
  const { lightness, from, gain, to, ceiling } = match;
  for (let o = 0; o < crop.length; o += 3) {
    const [y, cb, cr] = rgbToYcc(crop[o], crop[o + 1], crop[o + 2]);
    const Y = Math.min(ceiling, y * lightness);
    const Cb = (cb - from[1]) * gain[1] + to[1] - 128;
    const Cr = (cr - from[2]) * gain[2] + to[2] - 128;
    out[o] = Math.min(255, Math.max(0, Math.round(Y + 1.402 * Cr)));
    out[o + 1] = Math.min(255, Math.max(0, Math.round(Y - 0.344136 * Cb - 0.714136 * Cr)));
    out[o + 2] = Math.min(255, Math.max(0, Math.round(Y + 1.772 * Cb)));
  }
  return out;
}

/**
 * Decoded atlases by content: each render reads its track afresh from the motion cache, but templates repeat,
 * and decoding costs more than the rest of the mouth work together. Oldest dropped beyond ATLAS_CACHE.
 */
const decodedAtlases = new Map<string, Promise<Uint8Array>>();
const ATLAS_CACHE = 32;

function decodedAtlas(mouths: DriverMouths): Promise<Uint8Array> {
  const key = createHash('sha1').update(mouths.atlas).digest('hex');
  let decoded = decodedAtlases.get(key);
  if (!decoded) {
    decoded = decodeMouthAtlas(mouths);
    decoded.catch(() => decodedAtlases.delete(key));
    decodedAtlases.set(key, decoded);
    if (decodedAtlases.size > ATLAS_CACHE) decodedAtlases.delete(decodedAtlases.keys().next().value as string);
  }
  return decoded;
}

/** Every crop of the driver's mouths, re-coloured for a photo whose skin statistics are `photoSkin`. */
export async function photoMouthCrops(mouths: DriverMouths, photoSkin: Float32Array): Promise<Uint8Array[]> {
  const pixels = await decodedAtlas(mouths);
  const match = colourMatch(mouths.skin, photoSkin);
  const bytes = mouths.width * mouths.height * 3;
  return Array.from({ length: Math.floor(pixels.length / bytes) }, (_, k) => recolourCrop(pixels.subarray(k * bytes, (k + 1) * bytes), match));
}

/** Rows each lip column is cut into: the lips curve, so one affine triangle pair per column would bend it. */
const ROWS = 4;

/** Crop colour at (u, v) ∈ [0, 1]², bilinear, into `rgb`. */
function cropAt(crop: Uint8Array, cw: number, ch: number, u: number, v: number, rgb: Float32Array): void {
  const cu = Math.min(cw - 1, Math.max(0, u * cw - 0.5));
  const cv = Math.min(ch - 1, Math.max(0, v * ch - 0.5));
  const i0 = Math.min(cw - 2, Math.floor(cu));
  const j0 = Math.min(ch - 2, Math.floor(cv));
  const fu = cu - i0;
  const fv = cv - j0;
  const a = (j0 * cw + i0) * 3;
  const b = a + cw * 3;
  for (let c = 0; c < 3; c++) {
    const top = crop[a + c] + (crop[a + 3 + c] - crop[a + c]) * fu;
    const bottom = crop[b + c] + (crop[b + 3 + c] - crop[b + c]) * fu;
    rgb[c] = top + (bottom - top) * fv;
  }
}

/**
 * Blends the crop (RGB, mouths.width × mouths.height) into the inner-lip contour of `target` (xyz) in `out`:
 * each lip column is cut into ROWS quads, each quad into two triangles with their (u, v) at the corners; every
 * covered pixel is painted once, fading at the corners and along the lips.
 */
export function paintMouth(out: Uint8Array, width: number, height: number, target: Float32Array, crop: Uint8Array, mouths: DriverMouths, opacity: number): void {
  if (opacity <= 0.01) return;
  const columns = INNER_LIP_UPPER.length - 1;
  const grid: [number, number, number, number][] = []; // x, y, u, v for (column k, row r) at k * (ROWS + 1) + r
  for (let k = 0; k <= columns; k++) {
    const u = k / columns;
    const [tx, ty] = lipPoint(target, u, 0);
    const [bx, by] = lipPoint(target, u, 1);
    for (let r = 0; r <= ROWS; r++) grid.push([tx + ((bx - tx) * r) / ROWS, ty + ((by - ty) * r) / ROWS, u, r / ROWS]);
  }
  const xs = grid.map((g) => g[0]);
  const ys = grid.map((g) => g[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  if (x1 < x0 || y1 < y0) return;
  const painted = new Uint8Array((x1 - x0 + 1) * (y1 - y0 + 1));
  const rgb = new Float32Array(3);
  const triangle = (a: number[], b: number[], c: number[]) => {
    const area = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
    if (Math.abs(area) < 1e-6) return;
    const tx0 = Math.max(x0, Math.floor(Math.min(a[0], b[0], c[0])));
    const tx1 = Math.min(x1, Math.ceil(Math.max(a[0], b[0], c[0])));
    const ty0 = Math.max(y0, Math.floor(Math.min(a[1], b[1], c[1])));
    const ty1 = Math.min(y1, Math.ceil(Math.max(a[1], b[1], c[1])));
    for (let y = ty0; y <= ty1; y++) {
      for (let x = tx0; x <= tx1; x++) {
        const cell = (y - y0) * (x1 - x0 + 1) + (x - x0);
        if (painted[cell]) continue;
        const wb = ((x - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (y - a[1])) / area;
        const wc = ((b[0] - a[0]) * (y - a[1]) - (x - a[0]) * (b[1] - a[1])) / area;
        const wa = 1 - wb - wc;
        if (wa < -1e-4 || wb < -1e-4 || wc < -1e-4) continue;
        painted[cell] = 1;
        const u = wa * a[2] + wb * b[2] + wc * c[2];
        const v = wa * a[3] + wb * b[3] + wc * c[3];
        const fade = Math.min(1, Math.min(u, 1 - u) * 6) * Math.min(1, Math.min(v, 1 - v) * 5); // corners and lips
        cropAt(crop, mouths.width, mouths.height, u, v, rgb);
        const cover = fade * opacity;
        const o = (y * width + x) * 3;
        for (let ch = 0; ch < 3; ch++) out[o + ch] = out[o + ch] + (rgb[ch] - out[o + ch]) * cover + 0.5;
      }
    }
  };
  for (let k = 0; k < columns; k++) {
    for (let r = 0; r < ROWS; r++) {
      const [p, q] = [grid[k * (ROWS + 1) + r], grid[(k + 1) * (ROWS + 1) + r]];
      const [p2, q2] = [grid[k * (ROWS + 1) + r + 1], grid[(k + 1) * (ROWS + 1) + r + 1]];
      triangle(p, q, q2);
      triangle(p, q2, p2);
    }
  }
}
