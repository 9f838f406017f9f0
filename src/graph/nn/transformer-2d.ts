// diffusers Transformer2DModel (SD1.5 spatial transformer) and its BasicTransformerBlock with the GEGLU
// feed-forward: norm, proj_in, transformer_blocks.N.{norm1,attn1,norm2,attn2,norm3,ff.net.0.proj,ff.net.2}, proj_out.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
import * as op from '../onnx/ops.ts';
import { Attention } from './attention.ts';
import { Conv2d, GroupNorm, LayerNorm, Linear } from './layers.ts';
import { Module, ModuleList, NoParams } from './module.ts';

class Geglu extends Module {
  readonly proj: Linear;

  constructor(dim: number, inner: number) {
    super();
    this.proj = this.child('proj', new Linear(dim, inner * 2));
  }

  /** hidden · gelu(gate) with [hidden, gate] = chunk(proj(x), 2); the target may fuse bias + split + gelu. */
  forward(g: GraphBuilder, x: Value): Value {
    if (g.profile.gegluGate === 'bias-split-gelu') {
      const projected = this.proj.forward(g, x, { withBias: false });
      return g.op('BiasSplitGelu', [projected, this.proj.biasValue(g)], {}, 'com.microsoft');
    }
    const [hidden, gate] = op.chunk(g, this.proj.forward(g, x), 2, -1);
    // Gelu-20's default is the exact (erf) form, as torch's.
    return op.mul(g, hidden, g.profile.gegluGate === 'gelu' ? g.op('Gelu', [gate]) : op.gelu(g, gate));
  }
}

export class FeedForwardGeglu extends Module {
  private readonly geglu: Geglu;
  private readonly outProj: Linear;

  constructor(dim: number, mult = 4) {
    super();
    const inner = dim * mult;
    this.geglu = new Geglu(dim, inner);
    this.outProj = new Linear(inner, dim);
    this.child('net', new ModuleList<Module>([this.geglu, new NoParams(), this.outProj]));
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.outProj.forward(g, this.geglu.forward(g, x));
  }
}

interface TransformerBlockConfig {
  readonly dim: number;
  readonly heads: number;
  readonly headDim: number;
  readonly crossDim: number;
  readonly onlyCrossAttention?: boolean;
}

class BasicTransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn1: Attention;
  readonly norm2: LayerNorm;
  readonly attn2: Attention;
  readonly norm3: LayerNorm;
  readonly ff: FeedForwardGeglu;

  constructor(readonly config: TransformerBlockConfig) {
    super();
    const { dim, heads, headDim, crossDim } = config;
    this.norm1 = this.child('norm1', new LayerNorm(dim, 1e-5));
    this.attn1 = this.child('attn1', new Attention({ queryDim: dim, crossDim: config.onlyCrossAttention ? crossDim : undefined, heads, headDim }));
    this.norm2 = this.child('norm2', new LayerNorm(dim, 1e-5));
    this.attn2 = this.child('attn2', new Attention({ queryDim: dim, crossDim, heads, headDim }));
    this.norm3 = this.child('norm3', new LayerNorm(dim, 1e-5));
    this.ff = this.child('ff', new FeedForwardGeglu(dim));
  }

  /** x [B,S,C], context [B,L,D]. */
  forward(g: GraphBuilder, x: Value, context: Value): Value {
    const selfContext = this.config.onlyCrossAttention ? context : undefined;
    let h = op.add(g, this.attn1.forward(g, this.norm1.forward(g, x), selfContext), x);
    h = op.add(g, this.attn2.forward(g, this.norm2.forward(g, h), context), h);
    return op.add(g, this.ff.forward(g, this.norm3.forward(g, h)), h);
  }
}

interface Transformer2DConfig {
  readonly channels: number;
  readonly heads: number;
  readonly crossDim: number;
  readonly groups: number;
  readonly layers: number;
  readonly useLinearProjection: boolean;
  readonly onlyCrossAttention?: boolean;
}

export class Transformer2DModel extends Module {
  readonly norm: GroupNorm;
  readonly projIn: Linear | Conv2d;
  readonly blocks: BasicTransformerBlock[];
  readonly projOut: Linear | Conv2d;

  constructor(readonly config: Transformer2DConfig) {
    super();
    const c = config.channels;
    if (c % config.heads !== 0) throw new Error(`Transformer2DModel: ${c} channels do not split into ${config.heads} heads`);
    this.norm = this.child('norm', new GroupNorm(config.groups, c, 1e-6));
    this.projIn = this.child('proj_in', config.useLinearProjection ? new Linear(c, c) : new Conv2d(c, c, 1));
    const blockConfig = { dim: c, heads: config.heads, headDim: c / config.heads, crossDim: config.crossDim, onlyCrossAttention: config.onlyCrossAttention };
    const blocks = Array.from({ length: config.layers }, () => new BasicTransformerBlock(blockConfig));
    this.blocks = this.child('transformer_blocks', new ModuleList(blocks)).items;
    this.projOut = this.child('proj_out', config.useLinearProjection ? new Linear(c, c) : new Conv2d(c, c, 1));
  }

  /** x [B,C,H,W] → same shape, with the residual added. */
  forward(g: GraphBuilder, x: Value, context: Value): Value {
    const shape = op.shape(g, x);
    let h = this.norm.forward(g, x);
    const toTokens = (v: Value) => op.transpose(g, op.reshape(g, v, [0, 0, -1]), [0, 2, 1]);
    if (this.projIn instanceof Conv2d) h = toTokens(this.projIn.forward(g, h));
    else h = this.projIn.forward(g, toTokens(h));
    for (const block of this.blocks) h = block.forward(g, h, context);
    const toMap = (v: Value) => op.reshape(g, op.transpose(g, v, [0, 2, 1]), shape);
    h = this.projOut instanceof Conv2d ? this.projOut.forward(g, toMap(h)) : toMap(this.projOut.forward(g, h));
    return op.add(g, h, x);
  }
}
