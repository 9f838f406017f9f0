// GFL / DFL box decoding of the NanoDet-style face detector: per level, cell centres at (col·s, row·s) with no
// half-cell offset, side distances as the expectation of a softmax over reg_max+1 bins, top-K cells by score.
import { MemeError } from '../../errors.ts';
import type { BoxCorners } from './letterbox.ts';

export const DETECTOR_STRIDES = [8, 16, 32] as const;
const REG_MAX = 7;
const TOP_K_PER_LEVEL = 1000;

export interface ScoredBox {
  box: BoxCorners;
  score: number;
}

/** Grid of one level; fractional rows/columns are kept (272/32 = 8.5 → 9 rows), as np.arange does. */
export function levelGrid(inputWidth: number, inputHeight: number, stride: number): { rows: number; cols: number } {
  return { rows: Math.ceil(inputHeight / stride), cols: Math.ceil(inputWidth / stride) };
}

/** Expectation of softmax(logits[offset .. offset+bins)) over bin indices 0..bins-1. */
export function distributionExpectation(logits: ArrayLike<number>, offset: number, bins = REG_MAX + 1): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < bins; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < bins; i++) {
    const e = Math.exp(logits[offset + i] - max);
    sum += e;
    weighted += i * e;
  }
  return weighted / sum;
}

interface LevelOutputs {
  /** one probability per cell (already sigmoid-ed by the model) */
  scores: ArrayLike<number>;
  /** per cell 4 sides (l, t, r, b) × (REG_MAX+1) bins */
  distributions: ArrayLike<number>;
}

/** Decodes one level into boxes (detector-input pixels), keeping the topK highest-scoring cells. */
export function decodeLevel(level: LevelOutputs, stride: number, inputWidth: number, inputHeight: number, topK = TOP_K_PER_LEVEL): ScoredBox[] {
  const { rows, cols } = levelGrid(inputWidth, inputHeight, stride);
  const cells = rows * cols;
  const bins = REG_MAX + 1;
  if (level.scores.length !== cells || level.distributions.length !== cells * 4 * bins) {
    throw new MemeError('BAD_WEIGHTS', `detector level stride ${stride}: expected ${cells} scores and ${cells * 4 * bins} distribution values, got ${level.scores.length} and ${level.distributions.length}`);
  }
  const order = Array.from({ length: cells }, (_, i) => i).sort((a, b) => level.scores[b] - level.scores[a]);
  return order.slice(0, topK).map((cell) => {
    const cx = (cell % cols) * stride;
    const cy = Math.floor(cell / cols) * stride;
    const d = [0, 1, 2, 3].map((side) => distributionExpectation(level.distributions, (cell * 4 + side) * bins, bins) * stride);
    return { box: [cx - d[0], cy - d[1], cx + d[2], cy + d[3]], score: level.scores[cell] };
  });
}
