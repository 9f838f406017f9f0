// HelloMeme v5 motion modules: diffusers AnimateDiffTransformer3D (GroupNorm over frames, 1 block of two
// self-attentions with the stored interleaved `pos_embed.pe` added after each LN, GEGLU) and SKMotionModuleV5
// (attn_pad over [pad first, frames, pad last] when keyframe pads are given, then attn1). Graph ops only.

import { Attention } from '../../nn/attention.ts';
import { GroupNorm, LayerNorm, Linear } from '../../nn/layers.ts';
import { Module, ModuleList } from '../../nn/module.ts';
import { FeedForwardGeglu } from '../../nn/transformer-2d.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { dimsOf, foldFrames, reshapeTo, unfoldFrames } from './shape-ops.ts';

/** AnimateDiff's positional table length (num_positional_embeddings): frames plus pads must fit in it. */
const MOTION_MAX_FRAMES = 32;

class PositionTable extends Module {
  constructor(readonly dim: number) {
    super();
    this.param('pe', [1, MOTION_MAX_FRAMES, dim]);
  }

  /** x [S, n, C] + pe[:, :n]. */
  forward(g: GraphBuilder, x: Value): Value {
    return op.add(g, x, op.slice(g, this.w(g, 'pe'), [0], dimsOf(g, x, 1), [1]));
  }
}

class TemporalBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn1: Attention;
  readonly norm2: LayerNorm;
  readonly attn2: Attention;
  readonly norm3: LayerNorm;
  readonly ff: FeedForwardGeglu;
  readonly posEmbed: PositionTable;

  constructor(dim: number, heads: number) {
    super();
    const attn = () => new Attention({ queryDim: dim, heads, headDim: dim / heads });
    this.norm1 = this.child('norm1', new LayerNorm(dim, 1e-5));
    this.attn1 = this.child('attn1', attn());
    this.norm2 = this.child('norm2', new LayerNorm(dim, 1e-5));
    this.attn2 = this.child('attn2', attn());
    this.norm3 = this.child('norm3', new LayerNorm(dim, 1e-5));
    this.ff = this.child('ff', new FeedForwardGeglu(dim));
    this.posEmbed = this.child('pos_embed', new PositionTable(dim));
  }

  /** x [S, n, C]: two self-attentions (double_self_attention), positions after each LN, then the feed-forward. */
  forward(g: GraphBuilder, x: Value): Value {
    let h = op.add(g, this.attn1.forward(g, this.posEmbed.forward(g, this.norm1.forward(g, x))), x);
    h = op.add(g, this.attn2.forward(g, this.posEmbed.forward(g, this.norm2.forward(g, h))), h);
    return op.add(g, this.ff.forward(g, this.norm3.forward(g, h)), h);
  }
}

class AnimateDiffTransformer3D extends Module {
  readonly norm: GroupNorm;
  readonly projIn: Linear;
  readonly block: TemporalBlock;
  readonly projOut: Linear;

  constructor(readonly channels: number, heads: number) {
    super();
    if (channels % 32 !== 0) throw new Error(`AnimateDiffTransformer3D: ${channels} channels are not a multiple of its 32 norm groups`);
    this.norm = this.child('norm', new GroupNorm(32, channels, 1e-6));
    this.projIn = this.child('proj_in', new Linear(channels, channels));
    this.block = this.child('transformer_blocks', new ModuleList([new TemporalBlock(channels, heads)])).items[0];
    this.projOut = this.child('proj_out', new Linear(channels, channels));
  }

  /** x [(B n),C,H,W], n frames (1-D int64) → same shape, residual included. */
  forward(g: GraphBuilder, x: Value, frames: Value): Value {
    const video = unfoldFrames(g, x, frames); // [B,C,n,H,W]
    // GroupNorm statistics span the frames: normalise [B,C,n,H·W], then restore the 5-D view.
    const normed = op.reshape(g, this.norm.forward(g, reshapeTo(g, video, [[0, 0, 0, -1]])), op.shape(g, video));
    const tokens = reshapeTo(g, op.transpose(g, normed, [0, 3, 4, 2, 1]), [[-1], frames, [this.channels]]);
    const h = this.projOut.forward(g, this.block.forward(g, this.projIn.forward(g, tokens)));
    const back = reshapeTo(g, h, [dimsOf(g, video, 0), dimsOf(g, video, 3, 5), frames, [this.channels]]);
    const folded = reshapeTo(g, op.transpose(g, back, [0, 3, 4, 1, 2]), [[-1], dimsOf(g, x, 1, 4)]);
    return op.add(g, folded, x);
  }
}

/** SKMotionModuleV5 (`motion_down.{i}` / `motion_up.{i}`). */
class SKMotionModuleV5 extends Module {
  readonly attn1: AnimateDiffTransformer3D;
  readonly attnPad: AnimateDiffTransformer3D;

  constructor(channels: number, heads: number) {
    super();
    this.attn1 = this.child('attn1', new AnimateDiffTransformer3D(channels, heads));
    this.attnPad = this.child('attn_pad', new AnimateDiffTransformer3D(channels, heads));
  }

  /** x [(B F),C,H,W]; pad [B,C,2,H,W] (first and last keyframe features) or null. */
  forward(g: GraphBuilder, x: Value, frames: Value, pad: Value | null): Value {
    let h = x;
    if (pad) {
      const video = unfoldFrames(g, x, frames);
      const first = op.slice(g, pad, [0], [1], [2]);
      const last = op.slice(g, pad, [-1], [2 ** 31 - 1], [2]);
      const padded = op.add(g, frames, g.ints([2]));
      const u = this.attnPad.forward(g, foldFrames(g, op.concat(g, [first, video, last], 2)), padded);
      const middle = op.slice(g, unfoldFrames(g, u, padded), [1], [-1], [2]);
      // u already holds x (the transformer's own residual); the official module adds x once more.
      h = op.add(g, foldFrames(g, middle), x);
    }
    return this.attn1.forward(g, h, frames);
  }
}

/** HM5MotionAdapter: the eight motion modules, channels from its config.json. */
export class HM5MotionAdapter extends Module {
  readonly down: SKMotionModuleV5[];
  readonly up: SKMotionModuleV5[];

  constructor(readonly downChannels: readonly number[], readonly upChannels: readonly number[], heads: number) {
    super();
    this.down = this.child('motion_down', new ModuleList(downChannels.map((c) => new SKMotionModuleV5(c, heads)))).items;
    this.up = this.child('motion_up', new ModuleList(upChannels.map((c) => new SKMotionModuleV5(c, heads)))).items;
  }
}
