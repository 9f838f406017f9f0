// cv2.resize(..., INTER_CUBIC) over RGB images as OpenCV 4 computes it: half-pixel centres, A = -0.75, replicated
// edges, an 11-bit integer horizontal pass, and a vertical pass in float32 over 8-value SIMD blocks with an integer
// tail (so crops match cv2 pixel for pixel). No cropping here.
import type { RgbImage } from '../types.ts';
import { cubicWeights, cvRound } from './opencv-rounding.ts';

const COEF_SCALE = 2048;

interface AxisTaps {
  /** first source index of the 4 taps, per output index */
  start: Int32Array;
  /** 4 integer weights per output index */
  weights: Int32Array;
}

function axisTaps(srcSize: number, dstSize: number): AxisTaps {
  const scale = 1 / (dstSize / srcSize);
  const start = new Int32Array(dstSize);
  const weights = new Int32Array(dstSize * 4);
  for (let d = 0; d < dstSize; d++) {
    // OpenCV computes the source position in float32.
    let f = Math.fround((d + 0.5) * scale - 0.5);
    const s = Math.floor(f);
    f = Math.fround(f - s);
    start[d] = s - 1;
    const w = cubicWeights(f);
    for (let k = 0; k < 4; k++) weights[d * 4 + k] = cvRound(Math.fround(w[k]) * COEF_SCALE);
  }
  return { start, weights };
}

const clampIndex = (i: number, size: number): number => (i < 0 ? 0 : i >= size ? size - 1 : i);

/** Bicubic resize of `src` to width×height. */
export function resizeBicubic(src: RgbImage, width: number, height: number): RgbImage {
  const xs = axisTaps(src.width, width);
  const ys = axisTaps(src.height, height);
  // Horizontal pass for every source row (int sums, scale 2^11).
  const rows = new Int32Array(src.height * width * 3);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += xs.weights[x * 4 + k] * src.data[(y * src.width + clampIndex(xs.start[x] + k, src.width)) * 3 + c];
        rows[(y * width + x) * 3 + c] = sum;
      }
    }
  }
  // Vertical pass as OpenCV runs it on 8-bit images: whole 8-value blocks in float32 (each row sum times its
  // weight/2^22, accumulated last row first, rounded half to even), the rest of the row in 22-bit integers.
  const out = new Uint8Array(width * height * 3);
  const f = Math.fround;
  for (let y = 0; y < height; y++) {
    const b = [0, 1, 2, 3].map((k) => f(ys.weights[y * 4 + k] / 2 ** 22));
    const r = [0, 1, 2, 3].map((k) => clampIndex(ys.start[y] + k, src.height) * width * 3);
    const simdEnd = width * 3 - ((width * 3) % 8);
    for (let i = simdEnd; i < width * 3; i++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += ys.weights[y * 4 + k] * rows[r[k] + i];
      out[y * width * 3 + i] = Math.min(255, Math.max(0, Math.floor((sum + 2 ** 21) / 2 ** 22)));
    }
    for (let i = 0; i < simdEnd; i++) {
      const sum = f(f(rows[r[0] + i] * b[0]) + f(f(rows[r[1] + i] * b[1]) + f(f(rows[r[2] + i] * b[2]) + f(rows[r[3] + i] * b[3]))));
      out[y * width * 3 + i] = Math.min(255, Math.max(0, cvRound(sum)));
    }
  }
  return { width, height, data: out };
}

/** Copies the rectangle [x0, x1) × [y0, y1) out of `src` (the caller keeps it inside the image). */
export function cropImage(src: RgbImage, x0: number, y0: number, x1: number, y1: number): RgbImage {
  const width = x1 - x0;
  const height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(src.data.subarray(((y0 + y) * src.width + x0) * 3, ((y0 + y) * src.width + x1) * 3), y * width * 3);
  return { width, height, data };
}
