// Pixel and landmark checks of one output frame: is the whole face inside the picture, did the picture's
// border move, how much colour is in the face. Pure functions over RGB buffers and landmark arrays.
import type { Box, RgbImage } from '../types.ts';

/** True when every landmark lies inside the picture (the face is not cut by an edge). */
export function faceInsideFrame(landmarks: Float32Array, width: number, height: number): boolean {
  for (let i = 0; i < landmarks.length; i += 3) {
    const x = landmarks[i];
    const y = landmarks[i + 1];
    if (!(x >= 0 && x <= width - 1 && y >= 0 && y <= height - 1)) return false;
  }
  return true;
}

/** Mean absolute difference (0..255) between `frame` and the photo over a band `bandPx` wide along the edges. */
export function borderChange(frame: Uint8Array, photo: RgbImage, bandPx: number): number {
  const { width, height, data } = photo;
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    const edgeRow = y < bandPx || y >= height - bandPx;
    for (let x = 0; x < width; x++) {
      if (!edgeRow && x >= bandPx && x < width - bandPx) {
        x = width - bandPx - 1; // jump over the interior of the row
        continue;
      }
      const o = (y * width + x) * 3;
      sum += Math.abs(frame[o] - data[o]) + Math.abs(frame[o + 1] - data[o + 1]) + Math.abs(frame[o + 2] - data[o + 2]);
      count += 3;
    }
  }
  return count ? sum / count : 0;
}

/** Mean chroma (max − min of R, G, B; 0..255) inside `box`: 0 for a grey picture. */
export function meanChroma(frame: Uint8Array, width: number, height: number, box: Box): number {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(width, Math.ceil(box.x + box.width));
  const y1 = Math.min(height, Math.ceil(box.y + box.height));
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * width + x) * 3;
      sum += Math.max(frame[o], frame[o + 1], frame[o + 2]) - Math.min(frame[o], frame[o + 1], frame[o + 2]);
      count++;
    }
  }
  return count ? sum / count : 0;
}
