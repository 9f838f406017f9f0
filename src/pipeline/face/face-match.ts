// Matching faces between passes (box overlap) and comparing identity descriptors (cosine).
// Pure math over boxes and typed arrays; no model calls.
import type { Box, Face } from '../types.ts';

/** Below this overlap a re-detected face is taken to be a different one. */
const MIN_MATCH_IOU = 0.3;

/** Intersection over union of two boxes (0 when either is empty). */
function boxIou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = ix * iy;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

/** The candidate whose face box overlaps `box` most, or undefined when none overlaps enough. */
export function bestMatch<T extends { face: Face }>(box: Box, candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestIou = MIN_MATCH_IOU;
  for (const candidate of candidates) {
    const iou = boxIou(box, candidate.face.box);
    if (iou >= bestIou) {
      best = candidate;
      bestIou = iou;
    }
  }
  return best;
}

/** Copies a descriptor into a unit-length Float32Array, so cosine similarity is a dot product. */
export function normalizeDescriptor(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let sumSquares = 0;
  for (let i = 0; i < out.length; i++) sumSquares += out[i] * out[i];
  const norm = Math.sqrt(sumSquares);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is all zeros. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}
