// HelloMeme's v5 "spatial knitting" attentions: SKReferenceAttentionV5 (row then column attention over [x ; ref]),
// STKAttentionV5 in self mode (control projector) and STKCrossAttentionV5 (control net, expression tokens).
// Positions are the split-half sin/cos table added before the shared LayerNorm. Graph ops only; no weights I/O.

import { Attention } from '../../nn/attention.ts';
import { Conv2d, LayerNorm, Linear } from '../../nn/layers.ts';
import { Module } from '../../nn/module.ts';
import { FeedForwardGeglu } from '../../nn/transformer-2d.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { colsToTokens, dimsOf, rowsToTokens, splitHalfPositions, takeFirst, tokensToCols, tokensToRows } from './shape-ops.ts';

const selfAttention = (dim: number, heads: number) => new Attention({ queryDim: dim, heads, headDim: dim / heads });

/** LN(tokens + P_L) with the table sized by the token axis. */
function positioned(g: GraphBuilder, norm: LayerNorm, tokens: Value, dim: number): Value {
  return norm.forward(g, op.add(g, tokens, splitHalfPositions(g, tokens, 1, dim)));
}

/** SKReferenceAttentionV5: one per up-block input of the denoiser (`reference_modules_up.{i}`). */
export class SKReferenceAttentionV5 extends Module {
  readonly attn1: Attention;
  readonly attn2: Attention;
  readonly norm: LayerNorm;
  readonly proj: Conv2d;

  constructor(readonly channels: number, heads: number) {
    super();
    if (channels % heads !== 0) throw new Error(`SKReferenceAttentionV5: ${channels} channels do not split into ${heads} heads`);
    // A hard-coded Linear(1280, C) the official forward never calls; declared so binding knows the tensor.
    this.child('time_emb_proj', new Linear(1280, channels));
    this.attn1 = this.child('attn1', selfAttention(channels, heads));
    this.attn2 = this.child('attn2', selfAttention(channels, heads));
    this.norm = this.child('norm', new LayerNorm(channels, 1e-5));
    this.proj = this.child('proj', new Conv2d(channels, channels, 3, { padding: 1 }));
  }

  /** x [(B F),C,H,W]; ref [(B F),C,H,W] already repeated per frame. */
  forward(g: GraphBuilder, x: Value, ref: Value): Value {
    const c = this.channels;
    const rows = rowsToTokens(g, op.concat(g, [x, ref], 3));
    const y1 = tokensToRows(g, takeFirst(g, this.attn1.forward(g, positioned(g, this.norm, rows, c)), dimsOf(g, x, 3), 1), x);
    // The official code sizes this table from the row pass (2W); it only runs for square maps, where 2W == 2H.
    const cols = colsToTokens(g, op.concat(g, [y1, ref], 2));
    const y2 = tokensToCols(g, takeFirst(g, this.attn2.forward(g, positioned(g, this.norm, cols, c)), dimsOf(g, x, 2), 1), x);
    return op.add(g, x, this.proj.forward(g, y2));
  }
}

/** STKAttentionV5 in self mode (no reference, no time embedding, no temporal pass), as HMProjector uses it. */
export class STKAttentionV5 extends Module {
  readonly convIn: Conv2d;
  readonly attnx: Attention;
  readonly attny: Attention;
  readonly norm: LayerNorm;
  readonly proj: Conv2d;

  constructor(readonly inChannels: number, readonly midChannels: number, heads = 8) {
    super();
    if (midChannels % heads !== 0) throw new Error(`STKAttentionV5: ${midChannels} channels do not split into ${heads} heads`);
    this.convIn = this.child('conv_in', new Conv2d(inChannels, midChannels, 3, { padding: 1 }));
    this.attnx = this.child('attnx', selfAttention(midChannels, heads));
    this.attny = this.child('attny', selfAttention(midChannels, heads));
    this.norm = this.child('norm', new LayerNorm(midChannels, 1e-5));
    this.proj = this.child('proj', new Conv2d(midChannels, inChannels, 3, { padding: 1 }));
  }

  /** x [N,C,H,W] → x + proj(column(row(conv_in(x)))). */
  forward(g: GraphBuilder, x: Value): Value {
    const m = this.midChannels;
    const z = this.convIn.forward(g, x);
    const y1 = tokensToRows(g, this.attnx.forward(g, positioned(g, this.norm, rowsToTokens(g, z), m)), z);
    const y2 = tokensToCols(g, this.attny.forward(g, positioned(g, this.norm, colsToTokens(g, y1), m)), z);
    return op.add(g, x, this.proj.forward(g, y2));
  }
}

/** STKCrossAttentionV5: row and column cross-attention on the expression tokens, GEGLU (16C), LN again, conv. */
export class STKCrossAttentionV5 extends Module {
  readonly convIn: Conv2d;
  readonly norm: LayerNorm;
  readonly attn1: Attention;
  readonly attn2: Attention;
  readonly ff: FeedForwardGeglu;
  readonly proj: Conv2d;

  constructor(readonly channels: number, readonly contextDim: number, heads = 8) {
    super();
    const c = channels;
    this.convIn = this.child('conv_in', new Conv2d(c, c, 3, { padding: 1 }));
    this.norm = this.child('norm', new LayerNorm(c, 1e-5));
    this.attn1 = this.child('attn1', new Attention({ queryDim: c, crossDim: contextDim, heads, headDim: c / heads }));
    this.attn2 = this.child('attn2', new Attention({ queryDim: c, crossDim: contextDim, heads, headDim: c / heads }));
    this.ff = this.child('ff', new FeedForwardGeglu(c, 16));
    this.proj = this.child('proj', new Conv2d(c, c, 3, { padding: 1 }));
  }

  /** x [N,C,H,W]; context [N,T,D] (tokens of each frame). Returns proj(...) with no outer residual. */
  forward(g: GraphBuilder, x: Value, context: Value): Value {
    const c = this.channels;
    const ctx = op.add(g, context, splitHalfPositions(g, context, 1, this.contextDim));
    const repeatCtx = (times: Value) => {
      const u = op.unsqueeze(g, ctx, [1]);
      const e = g.op('Expand', [u, op.concat(g, [dimsOf(g, ctx, 0), times, g.ints([1, 1])], 0)]);
      return op.reshape(g, e, op.concat(g, [g.ints([-1]), dimsOf(g, ctx, 1, 3)], 0));
    };
    const z = this.convIn.forward(g, x);
    const y1 = tokensToRows(g, this.attn1.forward(g, positioned(g, this.norm, rowsToTokens(g, z), c), repeatCtx(dimsOf(g, z, 2))), z);
    const y2 = tokensToCols(g, this.attn2.forward(g, positioned(g, this.norm, colsToTokens(g, y1), c), repeatCtx(dimsOf(g, z, 3))), z);
    // (h w) tokens per frame for the feed-forward, then the shared LN once more.
    const flat = op.transpose(g, op.reshape(g, y2, op.concat(g, [dimsOf(g, y2, 0, 2), g.ints([-1])], 0)), [0, 2, 1]);
    const ff = this.norm.forward(g, this.ff.forward(g, flat));
    const map = op.reshape(g, op.transpose(g, ff, [0, 2, 1]), op.shape(g, y2));
    return this.proj.forward(g, map);
  }
}
