// The smooth 0 → 1 ramp that blends one region's motion into another's (the warp's head/neck/body shares, the
// expression clean-up's mirrored share across the midline): flat at both ends, so no crease where a blend starts.

/** 0 at or below edge0, 1 at or above edge1, Hermite (3t² − 2t³) in between. */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}
