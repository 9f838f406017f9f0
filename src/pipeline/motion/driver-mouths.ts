// The driver's own mouth interior, kept with its motion: for each frame where the driving face opens its mouth,
// the pixels between its inner lips resampled into a small canonical crop (u from corner to corner along the
// 11 lip columns, v from the upper to the lower inner lip), all crops in one JPEG; plus the colour statistics
// of the driver's skin, so a renderer can match the crops to a photo's palette and lighting.
import type { Face, FrameSequence, RgbImage } from '../types.ts';
import { decodeImage, encodeJpeg } from '../media/image.ts';
import { INNER_LIP_LOWER, INNER_LIP_UPPER, MOUTH_CORNERS } from './face-regions.ts';

/** Canonical crop size: about the size of an open mouth in a 512 px portrait, small enough to ship. */
export const MOUTH_CROP_WIDTH = 40;
export const MOUTH_CROP_HEIGHT = 20;
/** Mouths opened less than this share of their width keep no crop (the lips nearly touch: nothing inside). */
const MIN_OPENING = 0.06;
const ATLAS_QUALITY = 80;
/** Landmarks on cheeks, forehead and chin, where a face shows its plain skin. */
const SKIN_POINTS: readonly number[] = [116, 345, 50, 280, 205, 425, 151, 108, 337, 199];

export interface DriverMouths {
  width: number;
  height: number;
  /** Per track frame: which crop of the atlas is its mouth, or -1 where the mouth is (nearly) closed. */
  cropOf: Int16Array;
  /** JPEG of the crops stacked top to bottom, `width` × `height`·count. */
  atlas: Uint8Array;
  /** Skin colour of the driver's face: mean Y, Cb, Cr then their standard deviations. */
  skin: Float32Array;
}

export function rgbToYcc(r: number, g: number, b: number): [number, number, number] {
  return [0.299 * r + 0.587 * g + 0.114 * b, 128 - 0.168736 * r - 0.331264 * g + 0.5 * b, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b];
}

/** Mean and standard deviation of Y, Cb, Cr over small patches around the skin landmarks of `landmarks` (xyz). */
export function skinColour(image: RgbImage, landmarks: Float32Array): Float32Array {
  const height = Math.hypot(landmarks[152 * 3] - landmarks[10 * 3], landmarks[152 * 3 + 1] - landmarks[10 * 3 + 1]);
  const r = Math.max(2, Math.round(height * 0.025));
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  let n = 0;
  for (const i of SKIN_POINTS) {
    const cx = Math.round(landmarks[i * 3]);
    const cy = Math.round(landmarks[i * 3 + 1]);
    for (let y = cy - r; y <= cy + r; y++) {
      for (let x = cx - r; x <= cx + r; x++) {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue;
        const o = (y * image.width + x) * 3;
        const ycc = rgbToYcc(image.data[o], image.data[o + 1], image.data[o + 2]);
        for (let c = 0; c < 3; c++) [sum[c], sq[c]] = [sum[c] + ycc[c], sq[c] + ycc[c] ** 2];
        n++;
      }
    }
  }
  const mean = sum.map((s) => s / Math.max(1, n));
  const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / Math.max(1, n) - mean[c] ** 2)));
  return Float32Array.from([...mean, ...std]);
}

/** Where canonical crop pixel (u, v) ∈ [0, 1]² lies in a face with inner-lip landmarks `l` (stride 3). */
export function lipPoint(l: ArrayLike<number>, u: number, v: number): [number, number] {
  const columns = INNER_LIP_UPPER.length - 1;
  const at = Math.min(columns - 1e-6, Math.max(0, u * columns));
  const k = Math.floor(at);
  const f = at - k;
  const mix = (ids: readonly number[], axis: number) => l[ids[k] * 3 + axis] * (1 - f) + l[ids[k + 1] * 3 + axis] * f;
  const [tx, ty] = [mix(INNER_LIP_UPPER, 0), mix(INNER_LIP_UPPER, 1)];
  const [bx, by] = [mix(INNER_LIP_LOWER, 0), mix(INNER_LIP_LOWER, 1)];
  return [tx + (bx - tx) * v, ty + (by - ty) * v];
}

/** Mean gap between the inner lips over the mouth's width. */
export function innerLipGap(l: ArrayLike<number>): number {
  let gap = 0;
  for (let k = 1; k < INNER_LIP_UPPER.length - 1; k++) {
    gap += Math.hypot(l[INNER_LIP_LOWER[k] * 3] - l[INNER_LIP_UPPER[k] * 3], l[INNER_LIP_LOWER[k] * 3 + 1] - l[INNER_LIP_UPPER[k] * 3 + 1]);
  }
  const [a, b] = MOUTH_CORNERS;
  const width = Math.hypot(l[a * 3] - l[b * 3], l[a * 3 + 1] - l[b * 3 + 1]);
  return width > 0 ? gap / (INNER_LIP_UPPER.length - 2) / width : 0;
}

function sampleCrop(frame: Uint8Array, width: number, height: number, landmarks: Float32Array, out: Uint8Array, offset: number): void {
  for (let j = 0; j < MOUTH_CROP_HEIGHT; j++) {
    for (let i = 0; i < MOUTH_CROP_WIDTH; i++) {
      const [x, y] = lipPoint(landmarks, (i + 0.5) / MOUTH_CROP_WIDTH, (j + 0.5) / MOUTH_CROP_HEIGHT);
      const cx = Math.min(width - 1, Math.max(0, x));
      const cy = Math.min(height - 1, Math.max(0, y));
      const x0 = Math.min(width - 2, Math.floor(cx));
      const y0 = Math.min(height - 2, Math.floor(cy));
      const [fx, fy] = [cx - x0, cy - y0];
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => frame[(yy * width + xx) * 3 + c];
        const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
        const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
        out[offset + (j * MOUTH_CROP_WIDTH + i) * 3 + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
}

/** Crops of every frame whose face opens its mouth, and the driver's skin colour (first face). */
export async function extractDriverMouths(frames: FrameSequence, faces: (Face | null)[]): Promise<DriverMouths> {
  const cropOf = new Int16Array(faces.length).fill(-1);
  const open = faces.flatMap((face, i) => (face && innerLipGap(face.landmarks) >= MIN_OPENING ? [i] : []));
  const cropBytes = MOUTH_CROP_WIDTH * MOUTH_CROP_HEIGHT * 3;
  const pixels = new Uint8Array(Math.max(1, open.length) * cropBytes);
  open.forEach((i, k) => {
    sampleCrop(frames.frames[i], frames.width, frames.height, (faces[i] as Face).landmarks, pixels, k * cropBytes);
    cropOf[i] = k;
  });
  const first = faces.findIndex((f) => f !== null);
  const skin = first >= 0 ? skinColour({ width: frames.width, height: frames.height, data: frames.frames[first] }, (faces[first] as Face).landmarks) : new Float32Array(6);
  const atlas = await encodeJpeg({ width: MOUTH_CROP_WIDTH, height: Math.max(1, open.length) * MOUTH_CROP_HEIGHT, data: pixels }, ATLAS_QUALITY);
  return { width: MOUTH_CROP_WIDTH, height: MOUTH_CROP_HEIGHT, cropOf, atlas: new Uint8Array(atlas), skin };
}

/** The atlas as RGB, one crop after another (width·height·3 bytes each). */
export async function decodeMouthAtlas(mouths: DriverMouths): Promise<Uint8Array> {
  return (await decodeImage(Buffer.from(mouths.atlas), { minSide: 1 })).data;
}
