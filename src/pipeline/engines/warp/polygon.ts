// Small 2-D polygon helpers over landmark indices of a packed coordinate array (stride 2 or 3).
import { FACE_OVAL } from '../../motion/face-regions.ts';

export function polygonArea(points: Float32Array, indices: readonly number[], stride: number): number {
  let sum = 0;
  for (let k = 0; k < indices.length; k++) {
    const a = indices[k];
    const b = indices[(k + 1) % indices.length];
    sum += points[a * stride] * points[b * stride + 1] - points[b * stride] * points[a * stride + 1];
  }
  return Math.abs(sum) / 2;
}


/** Top and bottom y where the vertical line at `x` crosses the polygon; null when it misses. */
export function columnSpan(points: Float32Array, indices: readonly number[], stride: number, x: number): [number, number] | null {
  let top = Number.POSITIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < indices.length; k++) {
    const a = indices[k];
    const b = indices[(k + 1) % indices.length];
    const ax = points[a * stride], ay = points[a * stride + 1], bx = points[b * stride], by = points[b * stride + 1];
    if ((x < ax && x < bx) || (x > ax && x > bx) || ax === bx) continue;
    const y = ay + ((x - ax) / (bx - ax)) * (by - ay);
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  return top <= bottom ? [top, bottom] : null;
}

export function horizontalExtent(points: Float32Array, indices: readonly number[], stride: number): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const i of indices) {
    min = Math.min(min, points[i * stride]);
    max = Math.max(max, points[i * stride]);
  }
  return [min, max];
}

/** Blends an RGB colour into an RGB buffer at pixel index `pixel` with opacity `alpha` (0..1). */
export function blendPixel(out: Uint8Array, pixel: number, r: number, g: number, b: number, alpha: number): void {
  if (alpha <= 0) return;
  const a = Math.min(alpha , 1);
  const o = pixel * 3;
  out[o] = out[o] + (r - out[o]) * a + 0.5;
  out[o + 1] = out[o + 1] + (g - out[o + 1]) * a + 0.5;
  out[o + 2] = out[o + 2] + (b - out[o + 2]) * a + 0.5;
}

/** Fills the face oval polygon (source landmarks) with `value` (255 in the opacity: the face is always opaque person). */
export function fillFaceOval(alpha: Uint8Array, width: number, height: number, landmarks: Float32Array, value = 255): void {
  const xs = FACE_OVAL.map((i) => landmarks[i * 3]);
  const ys = FACE_OVAL.map((i) => landmarks[i * 3 + 1]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  for (let y = y0; y <= y1; y++) {
    const crossings: number[] = [];
    for (let k = 0, j = xs.length - 1; k < xs.length; j = k++) {
      if (ys[k] > y !== ys[j] > y) crossings.push(xs[k] + ((y - ys[k]) * (xs[j] - xs[k])) / (ys[j] - ys[k]));
    }
    crossings.sort((a, b) => a - b);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      for (let x = Math.max(0, Math.ceil(crossings[c])); x <= Math.min(width - 1, Math.floor(crossings[c + 1])); x++) alpha[y * width + x] = value;
    }
  }
}
