// Dynamic-shape helpers for the HelloMeme graphs: frame folding (b f) <-> b,f, per-frame repeats, token layouts,
// and the split-half sin/cos position table. Sizes are read from tensors at run time; nothing here holds weights.
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';

/** A 1-D int64 piece of a shape: literal numbers or a Value already holding int64 dims. */
type DimPart = readonly number[] | Value;

/** Dims [start, end) of x as a 1-D int64 tensor. */
export function dimsOf(g: GraphBuilder, x: Value, start: number, end?: number): Value {
  return op.shape(g, x, start, end ?? start + 1);
}

/** Concatenates literal and dynamic dims into one int64 shape vector. */
function shapeOf(g: GraphBuilder, parts: readonly DimPart[]): Value {
  return op.concat(g, parts.map((p) => (Array.isArray(p) ? g.ints(p as number[]) : (p as Value))), 0);
}

export function reshapeTo(g: GraphBuilder, x: Value, parts: readonly DimPart[]): Value {
  return op.reshape(g, x, shapeOf(g, parts));
}

/** [B,C,F,H,W] → [(B F),C,H,W], batch-major as einops "(b f)". */
export function foldFrames(g: GraphBuilder, x: Value): Value {
  const t = op.transpose(g, x, [0, 2, 1, 3, 4]);
  return reshapeTo(g, t, [[-1], dimsOf(g, t, 2, 5)]);
}

/** [(B F),C,H,W] → [B,C,F,H,W] for a frame count given as a 1-D int64 Value. */
export function unfoldFrames(g: GraphBuilder, x: Value, frames: Value): Value {
  const t = reshapeTo(g, x, [[-1], frames, dimsOf(g, x, 1, 4)]);
  return op.transpose(g, t, [0, 2, 1, 3, 4]);
}

/** repeat_interleave over axis 0: [B, ...rest] → [(B n), ...rest]; `rank` is x's rank. */
export function repeatInterleave(g: GraphBuilder, x: Value, times: Value, rank: number): Value {
  const u = op.unsqueeze(g, x, [1]);
  const target = shapeOf(g, [dimsOf(g, x, 0), times, Array.from({ length: rank - 1 }, () => 1)]);
  const expanded = g.op('Expand', [u, target]);
  return reshapeTo(g, expanded, [[-1], dimsOf(g, x, 1, rank)]);
}

/** Broadcasts axis 0 of x (size 1 or B) to `batch` (1-D int64). */
export function expandBatch(g: GraphBuilder, x: Value, batch: Value, rank: number): Value {
  return g.op('Expand', [x, shapeOf(g, [batch, Array.from({ length: rank - 1 }, () => 1)])]);
}

/** omega_i = 1 / 10000^(i / (D/2)), rounded through float32 as torch computes it. */
function splitHalfFrequencies(dim: number): Float32Array {
  const half = Math.floor(dim / 2);
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const ratio = Math.fround(i / Math.fround(dim / 2));
    out[i] = Math.fround(1 / Math.fround(10000 ** ratio));
  }
  return out;
}

/**
 * The v5 position table [L, D] = [sin(p·ω) | cos(p·ω)] (split halves, not interleaved) for a length taken from
 * axis `axis` of `like` at run time.
 */
export function splitHalfPositions(g: GraphBuilder, like: Value, axis: number, dim: number): Value {
  const length = op.cast(g, g.op('Squeeze', [dimsOf(g, like, axis), g.ints([0])]), 'float32');
  const zero = g.constant('float32', [], Float32Array.of(0), 'zero');
  const one = g.constant('float32', [], Float32Array.of(1), 'one');
  const pos = op.unsqueeze(g, g.op('Range', [zero, length, one]), [1]);
  const freqs = g.constant('float32', [1, Math.floor(dim / 2)], splitHalfFrequencies(dim), 'omega');
  const args = op.mul(g, pos, freqs);
  const table = op.concat(g, [op.sin(g, args), op.cos(g, args)], 1);
  return g.floatType === 'float16' ? op.cast(g, table, 'float16') : table;
}

/** Rows as token sequences: [N,C,H,W] → [(N H), W, C]. */
export function rowsToTokens(g: GraphBuilder, x: Value): Value {
  const t = op.transpose(g, x, [0, 2, 3, 1]);
  return reshapeTo(g, t, [[-1], dimsOf(g, t, 2, 4)]);
}

/** Inverse of rowsToTokens for tokens [(N H), W', C] back to [N,C,H,W'] given the N,H of `like`. */
export function tokensToRows(g: GraphBuilder, tokens: Value, like: Value): Value {
  const t = reshapeTo(g, tokens, [dimsOf(g, like, 0), dimsOf(g, like, 2), dimsOf(g, tokens, 1, 3)]);
  return op.transpose(g, t, [0, 3, 1, 2]);
}

/** Columns as token sequences: [N,C,H,W] → [(N W), H, C]. */
export function colsToTokens(g: GraphBuilder, x: Value): Value {
  const t = op.transpose(g, x, [0, 3, 2, 1]);
  return reshapeTo(g, t, [[-1], dimsOf(g, t, 2, 4)]);
}

/** Inverse of colsToTokens for tokens [(N W), H', C] back to [N,C,H',W] given the N,W of `like`. */
export function tokensToCols(g: GraphBuilder, tokens: Value, like: Value): Value {
  const t = reshapeTo(g, tokens, [dimsOf(g, like, 0), dimsOf(g, like, 3), dimsOf(g, tokens, 1, 3)]);
  return op.transpose(g, t, [0, 3, 2, 1]);
}

/** The first `count` (1-D int64) entries along `axis`. */
export function takeFirst(g: GraphBuilder, x: Value, count: Value, axis: number): Value {
  return op.slice(g, x, [0], count, [axis]);
}

/** InstanceNorm2d without affine parameters (unit scale, zero bias), as SmallUnetV5 uses. */
export function instanceNorm(g: GraphBuilder, x: Value, channels: number, eps = 1e-5): Value {
  const ones = g.floats([channels], new Float32Array(channels).fill(1));
  const zeros = g.floats([channels], new Float32Array(channels));
  return g.op('InstanceNormalization', [x, ones, zeros], { epsilon: { kind: 'float', value: eps } });
}
