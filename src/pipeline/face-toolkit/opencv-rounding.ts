// OpenCV's interpolation coefficient tables and rounding (cvRound, 1/32-pixel taps, 15-bit remap weights), shared by
// the warp and resize helpers so crops match cv2 to within a grey level. Pure math; no image access here.

/** cvRound: round half to even, as lrint does. */
export function cvRound(value: number): number {
  const floor = Math.floor(value);
  const frac = value - floor;
  if (frac > 0.5) return floor + 1;
  if (frac < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Keys' cubic convolution weights for a fractional offset t in [0, 1), with OpenCV's A = -0.75, evaluated in float32
 * step by step as OpenCV's interpolateCubic does (the rounding of the fixed-point weights depends on it).
 */
export function cubicWeights(t: number): [number, number, number, number] {
  const f = Math.fround;
  const A = -0.75;
  const x = f(t);
  const x1 = f(x + 1);
  const c0 = f(f(f(f(f(f(A * x1) - f(5 * A)) * x1) + f(8 * A)) * x1) - f(4 * A));
  const c1 = f(f(f(f(f(f(A + 2) * x) - f(A + 3)) * x) * x) + 1);
  const y = f(1 - x);
  const c2 = f(f(f(f(f(f(A + 2) * y) - f(A + 3)) * y) * y) + 1);
  return [c0, c1, c2, f(f(f(1 - c0) - c1) - c2)];
}

export const INTER_TAB_SIZE = 32;
export const REMAP_COEF_SCALE = 1 << 15;

/**
 * Integer 2-D remap weights for each of the 32×32 sub-pixel offsets (index fy·32 + fx), each summing exactly to 2^15:
 * OpenCV moves the rounding surplus onto the largest (or smallest) of the central taps.
 */
function buildRemapTable(kernelSize: 2 | 4): Int32Array[] {
  const table: Int32Array[] = [];
  const oneD = (t: number): number[] => (kernelSize === 2 ? [1 - t, t] : cubicWeights(t));
  for (let fy = 0; fy < INTER_TAB_SIZE; fy++) {
    const wy = oneD(fy / INTER_TAB_SIZE);
    for (let fx = 0; fx < INTER_TAB_SIZE; fx++) {
      const wx = oneD(fx / INTER_TAB_SIZE);
      const taps = new Int32Array(kernelSize * kernelSize);
      let sum = 0;
      for (let k1 = 0; k1 < kernelSize; k1++)
        for (let k2 = 0; k2 < kernelSize; k2++) {
          taps[k1 * kernelSize + k2] = cvRound(wy[k1] * wx[k2] * REMAP_COEF_SCALE);
          sum += taps[k1 * kernelSize + k2];
        }
      if (sum !== REMAP_COEF_SCALE) fixTableSum(taps, kernelSize, sum - REMAP_COEF_SCALE);
      table.push(taps);
    }
  }
  return table;
}

function fixTableSum(taps: Int32Array, kernelSize: number, diff: number): void {
  const half = kernelSize / 2;
  let minAt = half * kernelSize + half;
  let maxAt = minAt;
  for (let k1 = half; k1 < half + 2; k1++)
    for (let k2 = half; k2 < half + 2; k2++) {
      const at = k1 * kernelSize + k2;
      if (taps[at] < taps[minAt]) minAt = at;
      else if (taps[at] > taps[maxAt]) maxAt = at;
    }
  if (diff < 0) taps[maxAt] -= diff;
  else taps[minAt] -= diff;
}

let bilinearTable: Int32Array[] | undefined;
let bicubicTable: Int32Array[] | undefined;

export function remapTable(kind: 'bilinear' | 'bicubic'): Int32Array[] {
  if (kind === 'bilinear') {
    bilinearTable ??= buildRemapTable(2);
    return bilinearTable;
  }
  bicubicTable ??= buildRemapTable(4);
  return bicubicTable;
}
