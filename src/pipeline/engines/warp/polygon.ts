// Small 2-D polygon helpers over landmark indices of a packed coordinate array (stride 2 or 3).

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
