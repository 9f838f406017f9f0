// The UNet's down, mid and up blocks (diffusers CrossAttnDownBlock2D / DownBlock2D / UNetMidBlock2DCrossAttn /
// CrossAttnUpBlock2D / UpBlock2D) with their weight names. Skip bookkeeping stays in unet.ts.
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { Module, ModuleList } from '../../nn/module.ts';
import { Downsample2D, ResnetBlock2D, Upsample2D } from '../../nn/resnet.ts';
import { Transformer2DModel } from '../../nn/transformer-2d.ts';

export interface BlockShared {
  readonly tembChannels: number;
  readonly groups: number;
  readonly eps: number;
  readonly useLinearProjection: boolean;
  readonly resnetOutScaleFactor: number;
}

export interface AttnPlan {
  readonly heads: number;
  readonly crossDim: number;
  readonly layers: number;
  readonly onlyCrossAttention: boolean;
}

function transformer(channels: number, attn: AttnPlan, shared: BlockShared): Transformer2DModel {
  return new Transformer2DModel({
    channels,
    heads: attn.heads,
    crossDim: attn.crossDim,
    groups: shared.groups,
    layers: attn.layers,
    useLinearProjection: shared.useLinearProjection,
    onlyCrossAttention: attn.onlyCrossAttention,
  });
}

function resnet(inChannels: number, outChannels: number, shared: BlockShared, scale = shared.resnetOutScaleFactor): ResnetBlock2D {
  return new ResnetBlock2D({ inChannels, outChannels, tembChannels: shared.tembChannels, groups: shared.groups, eps: shared.eps, outputScaleFactor: scale });
}

export class DownBlock extends Module {
  readonly resnets: ResnetBlock2D[];
  readonly attentions: Transformer2DModel[];
  readonly downsampler?: Downsample2D;

  constructor(inChannels: number, outChannels: number, layers: number, attn: AttnPlan | null, addDownsample: boolean, padding: number, shared: BlockShared) {
    super();
    const resnets = Array.from({ length: layers }, (_, j) => resnet(j === 0 ? inChannels : outChannels, outChannels, shared));
    this.resnets = this.child('resnets', new ModuleList(resnets)).items;
    this.attentions = attn ? this.child('attentions', new ModuleList(resnets.map(() => transformer(outChannels, attn, shared)))).items : [];
    if (addDownsample) this.downsampler = this.child('downsamplers', new ModuleList([new Downsample2D(outChannels, outChannels, padding)])).items[0];
  }

  /** Returns the block output and the skip states it adds (one per layer, plus the downsampled map). */
  forward(g: GraphBuilder, x: Value, tembAct: Value, context: Value): { out: Value; skips: Value[] } {
    const skips: Value[] = [];
    let h = x;
    this.resnets.forEach((r, j) => {
      h = r.forward(g, h, tembAct);
      if (this.attentions[j]) h = this.attentions[j].forward(g, h, context);
      skips.push(h);
    });
    if (this.downsampler) {
      h = this.downsampler.forward(g, h);
      skips.push(h);
    }
    return { out: h, skips };
  }
}

export class MidBlock extends Module {
  readonly resnets: ResnetBlock2D[];
  readonly attentions: Transformer2DModel[];

  constructor(channels: number, attn: AttnPlan, scale: number, shared: BlockShared) {
    super();
    const resnets = Array.from({ length: attn.layers > 0 ? 2 : 1 }, () => resnet(channels, channels, shared, scale));
    this.attentions = this.child('attentions', new ModuleList([transformer(channels, { ...attn }, shared)])).items;
    this.resnets = this.child('resnets', new ModuleList(resnets)).items;
  }

  forward(g: GraphBuilder, x: Value, tembAct: Value, context: Value): Value {
    let h = this.resnets[0].forward(g, x, tembAct);
    h = this.attentions[0].forward(g, h, context);
    return this.resnets[1].forward(g, h, tembAct);
  }
}

export class UpBlock extends Module {
  readonly resnets: ResnetBlock2D[];
  readonly attentions: Transformer2DModel[];
  readonly upsampler?: Upsample2D;

  /** skipChannels[j]: channels of the skip concatenated before resnet j (in pop order). */
  constructor(prevChannels: number, outChannels: number, skipChannels: readonly number[], attn: AttnPlan | null, addUpsample: boolean, shared: BlockShared) {
    super();
    const resnets = skipChannels.map((skip, j) => resnet((j === 0 ? prevChannels : outChannels) + skip, outChannels, shared));
    this.resnets = this.child('resnets', new ModuleList(resnets)).items;
    this.attentions = attn ? this.child('attentions', new ModuleList(resnets.map(() => transformer(outChannels, attn, shared)))).items : [];
    if (addUpsample) this.upsampler = this.child('upsamplers', new ModuleList([new Upsample2D(outChannels, outChannels)])).items[0];
  }

  /** skips are consumed last-first; `sizeLike` is the next block's skip, whose size the upsampler matches. */
  forward(g: GraphBuilder, x: Value, skips: Value[], tembAct: Value, context: Value, sizeLike?: Value): Value {
    let h = x;
    this.resnets.forEach((r, j) => {
      const skip = skips[skips.length - 1 - j];
      h = r.forward(g, op.concat(g, [h, skip], 1), tembAct);
      if (this.attentions[j]) h = this.attentions[j].forward(g, h, context);
    });
    return this.upsampler ? this.upsampler.forward(g, h, sizeLike) : h;
  }
}
