// Axis-aligned bounds of points stored flat, one owner for both layouts the face analysers use: the face mesh keeps
// x, y, z per point (stride 3), the face toolkit's landmarks and crops x, y (stride 2). Only x and y count.

interface PointBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Bounds of `points` read `stride` numbers a point (x first, then y); infinite bounds for no points. */
export function pointBounds(points: ArrayLike<number>, stride: 2 | 3): PointBounds {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < points.length; i += stride) {
    minX = Math.min(minX, points[i]);
    maxX = Math.max(maxX, points[i]);
    minY = Math.min(minY, points[i + 1]);
    maxY = Math.max(maxY, points[i + 1]);
  }
  return { minX, minY, maxX, maxY };
}
