// Greedy hard NMS as the toolkit's detector uses it: score threshold, at most 200 candidates by score, then
// highest first, dropping boxes whose IoU with a kept one exceeds the threshold. Pure math over boxes.
import type { ScoredBox } from './gfl-decode.ts';

const SCORE_THRESHOLD = 0.4;
const NMS_IOU_THRESHOLD = 0.3;
const NMS_CANDIDATES = 200;

const area = (b: readonly number[]): number => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);

/** IoU with the detector's eps = 1e-5 in the denominator. */
export function iou(a: readonly number[], b: readonly number[], eps = 1e-5): number {
  const overlap = area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  return overlap / (area(a) + area(b) - overlap + eps);
}

/** Boxes with score > scoreThreshold that survive greedy NMS, highest score first. */
export function hardNms(boxes: readonly ScoredBox[], iouThreshold = NMS_IOU_THRESHOLD, scoreThreshold = SCORE_THRESHOLD, candidates = NMS_CANDIDATES): ScoredBox[] {
  let pending = boxes
    .filter((b) => b.score > scoreThreshold)
    .sort((a, b) => b.score - a.score)
    .slice(0, candidates);
  const kept: ScoredBox[] = [];
  while (pending.length > 0) {
    const current = pending[0];
    kept.push(current);
    pending = pending.slice(1).filter((b) => iou(b.box, current.box) <= iouThreshold);
  }
  return kept;
}
