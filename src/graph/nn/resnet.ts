// diffusers ResnetBlock2D, Downsample2D and Upsample2D with their weight names (norm1, conv1, time_emb_proj,
// norm2, conv2, conv_shortcut; downsamplers.0.conv; upsamplers.0.conv). Used by the UNet and the VAE.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
import * as op from '../onnx/ops.ts';
import { Conv2d, GroupNorm, Linear } from './layers.ts';
import { Module } from './module.ts';

interface ResnetConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  /** time-embedding width, or null for the VAE's resnets */
  readonly tembChannels: number | null;
  readonly groups: number;
  readonly eps: number;
  readonly outputScaleFactor?: number;
}

export class ResnetBlock2D extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly timeEmbProj?: Linear;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly convShortcut?: Conv2d;

  constructor(readonly config: ResnetConfig) {
    super();
    const { inChannels, outChannels, groups, eps } = config;
    this.norm1 = this.child('norm1', new GroupNorm(groups, inChannels, eps));
    this.conv1 = this.child('conv1', new Conv2d(inChannels, outChannels, 3, { padding: 1 }));
    if (config.tembChannels !== null) this.timeEmbProj = this.child('time_emb_proj', new Linear(config.tembChannels, outChannels));
    this.norm2 = this.child('norm2', new GroupNorm(groups, outChannels, eps));
    this.conv2 = this.child('conv2', new Conv2d(outChannels, outChannels, 3, { padding: 1 }));
    if (inChannels !== outChannels) this.convShortcut = this.child('conv_shortcut', new Conv2d(inChannels, outChannels, 1));
  }

  /** x [B,C,H,W]; tembAct = silu(temb) [B,T], shared by every resnet of a UNet. */
  forward(g: GraphBuilder, x: Value, tembAct?: Value): Value {
    let h = this.conv1.forward(g, this.norm1.forward(g, x, { silu: true }));
    if (this.timeEmbProj) {
      if (!tembAct) throw new Error(`${this.path}: needs a time embedding`);
      h = op.add(g, h, op.unsqueeze(g, this.timeEmbProj.forward(g, tembAct), [2, 3]));
    }
    h = this.conv2.forward(g, this.norm2.forward(g, h, { silu: true }));
    const shortcut = this.convShortcut ? this.convShortcut.forward(g, x) : x;
    const sum = op.add(g, shortcut, h);
    const scale = this.config.outputScaleFactor ?? 1;
    return scale === 1 ? sum : op.div(g, sum, g.scalar(scale));
  }
}

export class Downsample2D extends Module {
  readonly conv: Conv2d;

  /** padding 1: symmetric (UNet); padding 0: zero pad (0,1,0,1) first, as the VAE encoder does. */
  constructor(
    channels: number,
    outChannels: number,
    readonly padding: number,
  ) {
    super();
    this.conv = this.child('conv', new Conv2d(channels, outChannels, 3, { stride: 2, padding }));
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.padding === 0 ? this.conv.forward(g, x, [0, 0, 1, 1]) : this.conv.forward(g, x);
  }
}

export class Upsample2D extends Module {
  readonly conv: Conv2d;

  constructor(channels: number, outChannels: number) {
    super();
    this.conv = this.child('conv', new Conv2d(channels, outChannels, 3, { padding: 1 }));
  }

  /** Nearest ×2, or to the spatial size of `sizeLike` (the UNet's next skip) when given. */
  forward(g: GraphBuilder, x: Value, sizeLike?: Value): Value {
    let up: Value;
    if (sizeLike) {
      const sizes = op.concat(g, [op.shape(g, x, 0, 2), op.shape(g, sizeLike, 2, 4)], 0);
      up = op.resizeNearestToShape(g, x, sizes);
    } else up = op.resizeNearestScale(g, x, 2);
    return this.conv.forward(g, up);
  }
}
