// diffusers AutoencoderKL (SD1.5 VAE) as Module trees: the encoder half (encoder + quant_conv) and the decoder
// half (post_quant_conv + decoder) are separate graphs over one weight tree. Eps is 1e-6 everywhere, as in diffusers.
import { InputError } from '../../../errors.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { Attention } from '../../nn/attention.ts';
import { Conv2d, GroupNorm } from '../../nn/layers.ts';
import { Module, ModuleList } from '../../nn/module.ts';
import { Downsample2D, ResnetBlock2D, Upsample2D } from '../../nn/resnet.ts';
import type { Tap } from './unet.ts';

const VAE_EPS = 1e-6;

interface VaeConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly latentChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly normGroups: number;
  readonly scalingFactor: number;
  readonly useQuantConv: boolean;
  readonly usePostQuantConv: boolean;
  readonly midBlockAddAttention: boolean;
}

export function parseVaeConfig(c: Record<string, unknown>): VaeConfig {
  const ch = c.block_out_channels as number[];
  if (!Array.isArray(ch) || !ch.length) throw new InputError('BAD_OPTION', 'VAE config: block_out_channels missing');
  for (const t of (c.down_block_types as string[]) ?? []) if (t !== 'DownEncoderBlock2D') throw new InputError('UNSUPPORTED_FORMAT', `VAE config: ${t} is not supported`);
  for (const t of (c.up_block_types as string[]) ?? []) if (t !== 'UpDecoderBlock2D') throw new InputError('UNSUPPORTED_FORMAT', `VAE config: ${t} is not supported`);
  return {
    inChannels: (c.in_channels as number) ?? 3,
    outChannels: (c.out_channels as number) ?? 3,
    latentChannels: (c.latent_channels as number) ?? 4,
    blockOutChannels: ch,
    layersPerBlock: (c.layers_per_block as number) ?? 2,
    normGroups: (c.norm_num_groups as number) ?? 32,
    scalingFactor: (c.scaling_factor as number) ?? 0.18215,
    useQuantConv: (c.use_quant_conv as boolean) ?? true,
    usePostQuantConv: (c.use_post_quant_conv as boolean) ?? true,
    midBlockAddAttention: (c.mid_block_add_attention as boolean) ?? true,
  };
}

/** The VAE's single-head spatial self-attention with group_norm and the residual, over [B,C,H,W]. */
class VaeAttention extends Module {
  readonly groupNorm: GroupNorm;
  readonly attn: Attention;

  constructor(channels: number, groups: number) {
    super();
    this.groupNorm = this.child('group_norm', new GroupNorm(groups, channels, VAE_EPS));
    // Same parameters live directly in this module (to_q, to_k, ...): Attention is a view onto this node.
    this.attn = new Attention({ queryDim: channels, heads: 1, headDim: channels, qkvBias: true });
    for (const [name, child] of this.attn.children) this.child(name, child);
  }

  forward(g: GraphBuilder, x: Value): Value {
    const shape = op.shape(g, x);
    const tokens = op.transpose(g, op.reshape(g, this.groupNorm.forward(g, x), [0, 0, -1]), [0, 2, 1]);
    const h = this.attn.forward(g, tokens);
    return op.add(g, op.reshape(g, op.transpose(g, h, [0, 2, 1]), shape), x);
  }
}

class VaeMidBlock extends Module {
  readonly resnets: ResnetBlock2D[];
  readonly attentions: VaeAttention[];

  constructor(channels: number, groups: number, addAttention: boolean) {
    super();
    const resnet = () => new ResnetBlock2D({ inChannels: channels, outChannels: channels, tembChannels: null, groups, eps: VAE_EPS });
    this.attentions = addAttention ? this.child('attentions', new ModuleList([new VaeAttention(channels, groups)])).items : [];
    this.resnets = this.child('resnets', new ModuleList([resnet(), resnet()])).items;
  }

  forward(g: GraphBuilder, x: Value): Value {
    let h = this.resnets[0].forward(g, x);
    if (this.attentions[0]) h = this.attentions[0].forward(g, h);
    return this.resnets[1].forward(g, h);
  }
}

/** DownEncoderBlock2D / UpDecoderBlock2D: resnets then an optional resampler. */
class VaeBlock extends Module {
  readonly resnets: ResnetBlock2D[];
  readonly down?: Downsample2D;
  readonly up?: Upsample2D;

  constructor(inChannels: number, outChannels: number, layers: number, groups: number, resample: 'down' | 'up' | null) {
    super();
    const resnets = Array.from({ length: layers }, (_, j) => new ResnetBlock2D({ inChannels: j === 0 ? inChannels : outChannels, outChannels, tembChannels: null, groups, eps: VAE_EPS }));
    this.resnets = this.child('resnets', new ModuleList(resnets)).items;
    if (resample === 'down') this.down = this.child('downsamplers', new ModuleList([new Downsample2D(outChannels, outChannels, 0)])).items[0];
    if (resample === 'up') this.up = this.child('upsamplers', new ModuleList([new Upsample2D(outChannels, outChannels)])).items[0];
  }

  forward(g: GraphBuilder, x: Value): Value {
    let h = x;
    for (const r of this.resnets) h = r.forward(g, h);
    if (this.down) h = this.down.forward(g, h);
    if (this.up) h = this.up.forward(g, h);
    return h;
  }
}

class VaeCoder extends Module {
  readonly convIn: Conv2d;
  readonly blocks: VaeBlock[];
  readonly midBlock: VaeMidBlock;
  readonly convNormOut: GroupNorm;
  readonly convOut: Conv2d;

  constructor(readonly c: VaeConfig, readonly kind: 'encoder' | 'decoder') {
    super();
    const ch = kind === 'encoder' ? c.blockOutChannels : [...c.blockOutChannels].reverse();
    const n = ch.length;
    const inCh = kind === 'encoder' ? c.inChannels : c.latentChannels;
    const outCh = kind === 'encoder' ? 2 * c.latentChannels : c.outChannels;
    this.convIn = this.child('conv_in', new Conv2d(inCh, ch[0], 3, { padding: 1 }));
    const layers = kind === 'encoder' ? c.layersPerBlock : c.layersPerBlock + 1;
    const blocks = ch.map((out, i) => new VaeBlock(i === 0 ? ch[0] : ch[i - 1], out, layers, c.normGroups, i < n - 1 ? (kind === 'encoder' ? 'down' : 'up') : null));
    this.midBlock = this.child('mid_block', new VaeMidBlock(kind === 'encoder' ? ch[n - 1] : ch[0], c.normGroups, c.midBlockAddAttention));
    this.blocks = this.child(kind === 'encoder' ? 'down_blocks' : 'up_blocks', new ModuleList(blocks)).items;
    this.convNormOut = this.child('conv_norm_out', new GroupNorm(c.normGroups, ch[n - 1], VAE_EPS));
    this.convOut = this.child('conv_out', new Conv2d(ch[n - 1], outCh, 3, { padding: 1 }));
  }

  forward(g: GraphBuilder, x: Value, tap: Tap): Value {
    const blocksName = this.kind === 'encoder' ? 'down_blocks' : 'up_blocks';
    let h = this.convIn.forward(g, x);
    tap('conv_in.out', h);
    if (this.kind === 'decoder') {
      h = this.midBlock.forward(g, h);
      tap('mid_block.out', h);
    }
    this.blocks.forEach((b, i) => {
      h = g.scoped(`${blocksName}.${i}`, () => b.forward(g, h));
      tap(`${blocksName}.${i}.out`, h);
    });
    if (this.kind === 'encoder') {
      h = this.midBlock.forward(g, h);
      tap('mid_block.out', h);
    }
    h = this.convOut.forward(g, this.convNormOut.forward(g, h, { silu: true }));
    tap('conv_out.out', h);
    return h;
  }
}

export class AutoencoderKL extends Module {
  readonly encoder: VaeCoder;
  readonly decoder: VaeCoder;
  readonly quantConv?: Conv2d;
  readonly postQuantConv?: Conv2d;

  constructor(readonly config: VaeConfig) {
    super();
    const l = config.latentChannels;
    this.encoder = this.child('encoder', new VaeCoder(config, 'encoder'));
    this.decoder = this.child('decoder', new VaeCoder(config, 'decoder'));
    if (config.useQuantConv) this.quantConv = this.child('quant_conv', new Conv2d(2 * l, 2 * l, 1));
    if (config.usePostQuantConv) this.postQuantConv = this.child('post_quant_conv', new Conv2d(l, l, 1));
  }

  /** image [B,3,H,W] → { mean, logvar } (logvar clamped to [-30, 20]). */
  encode(g: GraphBuilder, image: Value, tap: Tap = () => undefined): { mean: Value; logvar: Value } {
    let moments = g.scoped('encoder', () => this.encoder.forward(g, image, (n, v) => tap(`encoder.${n}`, v)));
    if (this.quantConv) moments = this.quantConv.forward(g, moments);
    tap('quant_conv.out', moments);
    const [mean, logvar] = op.chunk(g, moments, 2, 1);
    return { mean, logvar: op.clip(g, logvar, -30, 20) };
  }

  /** latent [B,4,h,w] (already divided by the scaling factor) → image [B,3,8h,8w], raw. */
  decode(g: GraphBuilder, latent: Value, tap: Tap = () => undefined): Value {
    const z = this.postQuantConv ? this.postQuantConv.forward(g, latent) : latent;
    tap('post_quant_conv.out', z);
    return g.scoped('decoder', () => this.decoder.forward(g, z, (n, v) => tap(`decoder.${n}`, v)));
  }
}
