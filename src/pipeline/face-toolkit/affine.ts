// 2×3 affine matrices with OpenCV's conventions (getRotationMatrix2D, invertAffineTransform, transform), used by
// every crop of the HelloMeme face toolkit. Pure math over numbers and point arrays; no pixels here.

/** Row-major [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/** Points as interleaved [x0, y0, x1, y1, ...]. */
type Points = Float64Array;

/** OpenCV getRotationMatrix2D: rotation by angleDeg (counter-clockwise on screen) and scale about (cx, cy). */
export function rotationMatrix2D(cx: number, cy: number, angleDeg: number, scale: number): Affine {
  const rad = (angleDeg * Math.PI) / 180;
  const a = scale * Math.cos(rad);
  const b = scale * Math.sin(rad);
  return [a, b, (1 - a) * cx - b * cy, -b, a, b * cx + (1 - a) * cy];
}

/** Adds a translation (the toolkit's "M[:, 2] += offset"). */
export function translateAffine(m: Affine, dx: number, dy: number): Affine {
  return [m[0], m[1], m[2] + dx, m[3], m[4], m[5] + dy];
}

/** OpenCV invertAffineTransform; a singular matrix yields zeros, as OpenCV does. */
export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  const inv = det !== 0 ? 1 / det : 0;
  const a = m[4] * inv;
  const b = -m[1] * inv;
  const d = -m[3] * inv;
  const e = m[0] * inv;
  return [a, b, -a * m[2] - b * m[5], d, e, -d * m[2] - e * m[5]];
}

/** Applies m to every point; returns a new array. */
export function transformPoints(points: ArrayLike<number>, m: Affine): Points {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    out[i] = m[0] * x + m[1] * y + m[2];
    out[i + 1] = m[3] * x + m[4] * y + m[5];
  }
  return out;
}
