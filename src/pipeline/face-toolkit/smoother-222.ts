// Smoother222: HelloMeme's per-part One-Euro variant for video landmarks. Each part maps its mean normalised motion
// to k (fcmin = beta = k) and the filter uses k as its *time step*, so a still part is smoothed hard. Pure math.
import { LANDMARK_COUNT } from './landmarks-222.ts';

interface SmootherGroup {
  /** points filtered by this group's filter, [first, last] */
  readonly range: readonly [number, number];
  /** points whose motion drives k (the contour uses its lower part only) */
  readonly statRange: readonly [number, number];
  readonly low: number;
  readonly high: number;
  /** k at the low threshold (k rises linearly from 0 at d = 0) */
  readonly kLow: number;
  /** k at and above the high threshold */
  readonly kHigh: number;
}

const group = (first: number, last: number, kLow: number, kHigh: number, low = 0.003, statRange?: [number, number]): SmootherGroup =>
  Object.freeze({ range: [first, last] as const, statRange: statRange ?? ([first, last] as const), low, high: 0.02, kLow, kHigh });

export const SMOOTHER_222_GROUPS: readonly SmootherGroup[] = Object.freeze([
  group(0, 32, 0.05, 0.3, 0.005, [9, 23]),
  group(33, 47, 0.03, 0.7),
  group(48, 73, 0.02, 0.5),
  group(74, 95, 0.03, 0.7),
  group(96, 117, 0.03, 0.7),
  group(118, 181, 0.05, 0.7),
  group(182, 201, 0.03, 0.7),
  group(202, 221, 0.03, 0.7),
]);

/** Piecewise-linear map of a group's mean normalised displacement d to k. */
export function smoothingK(d: number, g: Pick<SmootherGroup, 'low' | 'high' | 'kLow' | 'kHigh'>): number {
  if (d < g.low) return g.kLow * (d / g.low);
  if (d < g.high) return g.kLow + (g.kHigh - g.kLow) * ((d - g.low) / (g.high - g.low));
  return g.kHigh;
}

const smoothingFactor = (te: number, cutoff: number): number => {
  const r = 2 * Math.PI * cutoff * te;
  return r / (r + 1);
};

/**
 * One filter step over a group's coordinates, in place on `out` (x from `current`, x_prev from `previous`).
 * `dxHat` carries the derivative estimate per coordinate. k = 0 (no motion at all) is the te → 0 limit: keep x_prev.
 */
export function oneEuroStep(current: ArrayLike<number>, previous: ArrayLike<number>, from: number, to: number, k: number, dxHat: Float64Array, out: Float64Array): void {
  if (k <= 0) {
    for (let i = from; i < to; i++) out[i] = previous[i];
    return;
  }
  const aD = smoothingFactor(k, 1);
  for (let i = from; i < to; i++) {
    const dx = (current[i] - previous[i]) / k;
    const hat = aD * dx + (1 - aD) * dxHat[i];
    const a = smoothingFactor(k, 1 + k * Math.abs(hat));
    out[i] = a * current[i] + (1 - a) * previous[i];
    dxHat[i] = hat;
  }
}

/** Stateful per-track smoother; feed 222-point frames (interleaved) in order. */
export class Smoother222 {
  private previous: Float64Array | null = null;
  private readonly dxHat = new Float64Array(LANDMARK_COUNT * 2);

  /** Returns the smoothed points; the first frame passes through. faceDis normalises the motion. */
  smooth(points: ArrayLike<number>, faceDis: number): Float64Array {
    const current = Float64Array.from(points);
    const previous = this.previous;
    if (!previous) {
      this.previous = current;
      return Float64Array.from(current);
    }
    const out = Float64Array.from(current);
    for (const g of SMOOTHER_222_GROUPS) {
      let sum = 0;
      for (let p = g.statRange[0]; p <= g.statRange[1]; p++) sum += Math.hypot(current[p * 2] - previous[p * 2], current[p * 2 + 1] - previous[p * 2 + 1]) / faceDis;
      const k = smoothingK(sum / (g.statRange[1] - g.statRange[0] + 1), g);
      oneEuroStep(current, previous, g.range[0] * 2, (g.range[1] + 1) * 2, k, this.dxHat, out);
    }
    this.previous = out;
    return Float64Array.from(out);
  }
}
