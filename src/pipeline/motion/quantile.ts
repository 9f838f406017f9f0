// The q-quantile of a list of numbers (linear interpolation between order statistics). Motion extraction
// uses it for a driver's usual eye openness and gaze; the eval for robust ranges.

/** The value below which `q` (0..1) of the values lie; NaN for no values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Array.from(values).sort((x, y) => x - y);
  const at = Math.max(0, Math.min(sorted.length - 1, q * (sorted.length - 1)));
  const low = Math.floor(at);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}
