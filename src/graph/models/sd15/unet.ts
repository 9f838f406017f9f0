// diffusers UNet2DConditionModel (SD1.5 family) as a Module tree built from its config.json, and its graph:
// inputs sample [B,C,H,W], timestep [B] float32, encoder_hidden_states [B,T,D] → out_sample.
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { TimestepEmbedding, Timesteps } from '../../nn/embeddings.ts';
import { Conv2d, GroupNorm } from '../../nn/layers.ts';
import { Module, ModuleList } from '../../nn/module.ts';
import { type AttnPlan, type BlockShared, DownBlock, MidBlock, UpBlock } from './unet-blocks.ts';
import type { UnetConfig } from './unet-config.ts';

/** Records a named intermediate (`<module path>.out`), for block-by-block comparison with goldens. */
export type Tap = (name: string, value: Value) => void;

export class UNet2DConditionModel extends Module {
  readonly convIn: Conv2d;
  readonly timeProj: Timesteps;
  readonly timeEmbedding: TimestepEmbedding;
  readonly downBlocks: DownBlock[];
  readonly midBlock?: MidBlock;
  readonly upBlocks: UpBlock[];
  readonly convNormOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(readonly config: UnetConfig) {
    super();
    const c = config;
    const ch = c.blockOutChannels;
    const n = ch.length;
    const shared: BlockShared = { tembChannels: c.timeEmbedDim, groups: c.normGroups, eps: c.normEps, useLinearProjection: c.useLinearProjection, resnetOutScaleFactor: c.resnetOutScaleFactor };
    this.convIn = this.child('conv_in', new Conv2d(c.inChannels, ch[0], c.convInKernel, { padding: (c.convInKernel - 1) / 2 }));
    this.timeProj = this.child('time_proj', new Timesteps(ch[0], c.flipSinToCos, c.freqShift));
    this.timeEmbedding = this.child('time_embedding', new TimestepEmbedding(ch[0], c.timeEmbedDim));
    const attnAt = (i: number, layers: number): AttnPlan => ({ heads: c.heads[i], crossDim: c.crossAttentionDim[i], layers, onlyCrossAttention: c.onlyCrossAttention[i] });
    const down = c.downBlockTypes.map((type, i) => {
      const attn = type === 'CrossAttnDownBlock2D' ? attnAt(i, c.transformerLayers[i]) : null;
      return new DownBlock(i === 0 ? ch[0] : ch[i - 1], ch[i], c.layersPerBlock[i], attn, i < n - 1, c.downsamplePadding, shared);
    });
    this.downBlocks = this.child('down_blocks', new ModuleList(down)).items;
    if (c.midBlock) this.midBlock = this.child('mid_block', new MidBlock(ch[n - 1], attnAt(n - 1, c.transformerLayers[n - 1]), c.midBlockScaleFactor, shared));
    this.upBlocks = this.child('up_blocks', new ModuleList(this.makeUpBlocks(shared))).items;
    this.convNormOut = this.child('conv_norm_out', new GroupNorm(c.normGroups, ch[0], c.normEps));
    this.convOut = this.child('conv_out', new Conv2d(ch[0], c.outChannels, c.convOutKernel, { padding: (c.convOutKernel - 1) / 2 }));
  }

  /** Channel plan of the up path: the skip channels each up block pops, in diffusers' order. */
  private makeUpBlocks(shared: BlockShared): UpBlock[] {
    const c = this.config;
    const ch = c.blockOutChannels;
    const n = ch.length;
    const skipStack: number[] = [ch[0]];
    ch.forEach((out, i) => {
      for (let j = 0; j < c.layersPerBlock[i]; j++) skipStack.push(out);
      if (i < n - 1) skipStack.push(out);
    });
    const rev = [...ch].reverse();
    const revHeads = [...c.heads].reverse();
    const revCross = [...c.crossAttentionDim].reverse();
    const revLayers = [...c.layersPerBlock].reverse();
    const revOnlyCross = [...c.onlyCrossAttention].reverse();
    return c.upBlockTypes.map((type, i) => {
      const count = revLayers[i] + 1;
      const skips = skipStack.splice(skipStack.length - count, count).reverse();
      const attn = type === 'CrossAttnUpBlock2D' ? { heads: revHeads[i], crossDim: revCross[i], layers: c.reverseTransformerLayers[i], onlyCrossAttention: revOnlyCross[i] } : null;
      const prev = i === 0 ? rev[0] : rev[i - 1];
      return new UpBlock(prev, rev[i], skips, attn, i < n - 1, shared);
    });
  }

  /** sample [B,C,H,W], timestep [B] float32, context [B,T,D] → noise prediction [B,C_out,H,W]. */
  forward(g: GraphBuilder, sample: Value, timestep: Value, context: Value, tap: Tap = () => undefined): Value {
    const tProj = this.timeProj.forward(g, timestep);
    tap('time_proj.out', tProj);
    const temb = this.timeEmbedding.forward(g, tProj);
    tap('time_embedding.out', temb);
    const tembAct = op.silu(g, temb);
    let h = this.convIn.forward(g, sample);
    tap('conv_in.out', h);
    const skips: Value[] = [h];
    this.downBlocks.forEach((block, i) => {
      const r = g.scoped(`down_blocks.${i}`, () => block.forward(g, h, tembAct, context));
      h = r.out;
      skips.push(...r.skips);
      tap(`down_blocks.${i}.out`, h);
    });
    if (this.midBlock) {
      h = g.scoped('mid_block', () => (this.midBlock as MidBlock).forward(g, h, tembAct, context));
      tap('mid_block.out', h);
    }
    this.upBlocks.forEach((block, i) => {
      const mine = skips.splice(skips.length - block.resnets.length, block.resnets.length);
      const sizeLike = skips.length ? skips[skips.length - 1] : undefined;
      h = g.scoped(`up_blocks.${i}`, () => block.forward(g, h, mine, tembAct, context, sizeLike));
      tap(`up_blocks.${i}.out`, h);
    });
    h = this.convNormOut.forward(g, h);
    tap('conv_norm_out.out', h);
    return this.convOut.forward(g, op.silu(g, h));
  }
}
