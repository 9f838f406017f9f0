// Umeyama (PAMI 1991) least-squares similarity between 2-D point sets, closed form for 2-D (no SVD needed),
// with the reflection guard of eq. (39). Pure math; returns the 2×3 forward matrix src → dst.
import type { Affine } from './affine.ts';

/** Similarity (rotation, uniform scale, translation) best mapping src → dst, both interleaved [x, y, ...]. */
export function umeyama2D(src: ArrayLike<number>, dst: ArrayLike<number>, estimateScale = true): Affine {
  const n = src.length / 2;
  let smx = 0;
  let smy = 0;
  let dmx = 0;
  let dmy = 0;
  for (let i = 0; i < n; i++) {
    smx += src[2 * i] / n;
    smy += src[2 * i + 1] / n;
    dmx += dst[2 * i] / n;
    dmy += dst[2 * i + 1] / n;
  }
  // A = dstᵀ·src / n (2×2) and the source variance
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[2 * i] - smx;
    const sy = src[2 * i + 1] - smy;
    const dx = dst[2 * i] - dmx;
    const dy = dst[2 * i + 1] - dmy;
    a += (dx * sx) / n;
    b += (dx * sy) / n;
    c += (dy * sx) / n;
    d += (dy * sy) / n;
    variance += (sx * sx + sy * sy) / n;
  }
  // For 2×2, the best rotation (det ≥ 0) maximises tr(Rᵀ·A): angle = atan2(c − b, a + d); the scale is
  // tr(D·S)/var = |(a + d, c − b)| / var. A reflection-dominated A (det < 0) gives the same formulas under eq. (39).
  const theta = Math.atan2(c - b, a + d);
  const scale = estimateScale ? Math.hypot(a + d, c - b) / variance : 1;
  const cos = Math.cos(theta) * scale;
  const sin = Math.sin(theta) * scale;
  return [cos, -sin, dmx - (cos * smx - sin * smy), sin, cos, dmy - (sin * smx + cos * smy)];
}
