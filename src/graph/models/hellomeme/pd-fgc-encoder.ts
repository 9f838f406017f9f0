// The PD-FGC expression encoder (HelloMeme's `FanEncoder`, repo songkey/pd_fgc_motion): FAN trunk (ConvBlocks,
// a depth-4 HourGlass, 68 heatmaps → 28×28 → 512) and the eye / emotion / mouth heads, concatenated to the 548-d
// pd_fpg vector the control net embeds. BatchNorms in eval mode, dropout off. Graph ops only; no file I/O.

import { Conv2d, Linear } from '../../nn/layers.ts';
import { Module, ModuleList, NoParams } from '../../nn/module.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import { attr } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';

/** input side of the aligned face crop; the trunk's final Linear is sized for it (28·28 = 784) */
export const PD_FGC_INPUT_SIZE = 224;
const TRUNK_FEATURES = 512;

const relu = (g: GraphBuilder, x: Value): Value => g.op('Relu', [x]);

function maxPool2(g: GraphBuilder, x: Value): Value {
  return g.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
}

/** BatchNorm (1d or 2d) in eval mode: running statistics, affine, eps 1e-5. */
class BatchNorm extends Module {
  constructor(readonly channels: number) {
    super();
    for (const name of ['weight', 'bias', 'running_mean', 'running_var']) this.param(name, [channels]);
  }

  forward(g: GraphBuilder, x: Value): Value {
    const w = (n: string) => this.w(g, n);
    return g.op('BatchNormalization', [x, w('weight'), w('bias'), w('running_mean'), w('running_var')], { epsilon: attr.float(1e-5) });
  }
}

/** FAN ConvBlock: three BN-ReLU-conv3×3 stages (out/2, out/4, out/4) concatenated, plus the (projected) input. */
export class ConvBlock extends Module {
  readonly bn1: BatchNorm;
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn3: BatchNorm;
  readonly conv3: Conv2d;
  readonly downsample?: { bn: BatchNorm; conv: Conv2d };

  constructor(inPlanes: number, outPlanes: number) {
    super();
    const half = Math.floor(outPlanes / 2);
    const quarter = Math.floor(outPlanes / 4);
    const conv = (a: number, b: number) => new Conv2d(a, b, 3, { padding: 1, bias: false });
    this.bn1 = this.child('bn1', new BatchNorm(inPlanes));
    this.conv1 = this.child('conv1', conv(inPlanes, half));
    this.bn2 = this.child('bn2', new BatchNorm(half));
    this.conv2 = this.child('conv2', conv(half, quarter));
    this.bn3 = this.child('bn3', new BatchNorm(quarter));
    this.conv3 = this.child('conv3', conv(quarter, quarter));
    if (inPlanes !== outPlanes) {
      const bn = new BatchNorm(inPlanes);
      const c = new Conv2d(inPlanes, outPlanes, 1, { bias: false });
      this.child('downsample', new ModuleList<Module>([bn, new NoParams(), c]));
      this.downsample = { bn, conv: c };
    }
  }

  forward(g: GraphBuilder, x: Value): Value {
    const stage = (bn: BatchNorm, conv: Conv2d, v: Value) => conv.forward(g, relu(g, bn.forward(g, v)));
    const out1 = stage(this.bn1, this.conv1, x);
    const out2 = stage(this.bn2, this.conv2, out1);
    const out3 = stage(this.bn3, this.conv3, out2);
    const residual = this.downsample ? this.downsample.conv.forward(g, relu(g, this.downsample.bn.forward(g, x))) : x;
    return op.add(g, op.concat(g, [out1, out2, out3], 1), residual);
  }
}

/** FAN HourGlass: `b1_L`, `b2_L`, `b3_L` per level and `b2_plus_1` at the bottom; bilinear upsampling to the skip size. */
export class HourGlass extends Module {
  private readonly blocks = new Map<string, ConvBlock>();

  constructor(readonly depth: number, features: number) {
    super();
    const add = (name: string) => this.blocks.set(name, this.child(name, new ConvBlock(features, features)));
    for (let level = depth; level >= 1; level--) {
      add(`b1_${level}`);
      add(`b2_${level}`);
      if (level === 1) add('b2_plus_1');
      add(`b3_${level}`);
    }
  }

  private block(name: string): ConvBlock {
    return this.blocks.get(name) as ConvBlock;
  }

  private level(g: GraphBuilder, level: number, x: Value): Value {
    const up1 = this.block(`b1_${level}`).forward(g, x);
    const low1 = this.block(`b2_${level}`).forward(g, maxPool2(g, x));
    const low2 = level > 1 ? this.level(g, level - 1, low1) : this.block('b2_plus_1').forward(g, low1);
    const low3 = this.block(`b3_${level}`).forward(g, low2);
    const sizes = op.concat(g, [op.shape(g, low3, 0, 2), op.shape(g, up1, 2, 4)], 0);
    const up2 = g.op('Resize', [low3, null, null, sizes], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') });
    return op.add(g, up1, up2);
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.level(g, this.depth, x);
  }
}

/** The FAN trunk (`model.*`): [N,3,224,224] in [-1, 1] → [N,512]. */
class FanTrunk extends Module {
  readonly conv1 = this.child('conv1', new Conv2d(3, 64, 7, { stride: 2, padding: 3 }));
  readonly bn1 = this.child('bn1', new BatchNorm(64));
  readonly conv2 = this.child('conv2', new ConvBlock(64, 128));
  readonly conv3 = this.child('conv3', new ConvBlock(128, 128));
  readonly conv4 = this.child('conv4', new ConvBlock(128, 256));
  readonly hourglass = this.child('m0', new HourGlass(4, 256));
  readonly top = this.child('top_m_0', new ConvBlock(256, 256));
  readonly convLast = this.child('conv_last0', new Conv2d(256, 256, 1));
  readonly heatmaps = this.child('l0', new Conv2d(256, 68, 1));
  readonly bnEnd = this.child('bn_end0', new BatchNorm(256));
  readonly conv6 = this.child('conv6', new Conv2d(68, 1, 3, { stride: 2, padding: 1 }));
  readonly fc = this.child('fc', new Linear(28 * 28, TRUNK_FEATURES));
  readonly bn5 = this.child('bn5', new BatchNorm(68));

  forward(g: GraphBuilder, x: Value): Value {
    let h = relu(g, this.bn1.forward(g, this.conv1.forward(g, x)));
    h = this.conv4.forward(g, this.conv3.forward(g, maxPool2(g, this.conv2.forward(g, h))));
    const ll = this.bnEnd.forward(g, this.convLast.forward(g, this.top.forward(g, this.hourglass.forward(g, h))));
    const heat = this.heatmaps.forward(g, relu(g, ll));
    const net = this.conv6.forward(g, relu(g, this.bn5.forward(g, heat)));
    return this.fc.forward(g, relu(g, op.reshape(g, net, [-1, 28 * 28])));
  }
}

/** Linear → ReLU → BatchNorm1d → Linear (`to_mouth`, `to_eye`, `to_emo`). */
class FeatureHead extends Module {
  readonly first: Linear;
  readonly bn: BatchNorm;
  readonly last: Linear;

  constructor() {
    super();
    this.first = new Linear(TRUNK_FEATURES, TRUNK_FEATURES);
    this.bn = new BatchNorm(TRUNK_FEATURES);
    this.last = new Linear(TRUNK_FEATURES, TRUNK_FEATURES);
    this.child('0', this.first);
    this.child('1', new NoParams());
    this.child('2', this.bn);
    this.child('3', this.last);
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.last.forward(g, this.bn.forward(g, relu(g, this.first.forward(g, x))));
  }
}

/** ReLU → Linear (`eye_embed`, `emo_embed`, `mouth_embed`). */
class Embed extends Module {
  readonly linear: Linear;

  constructor(out: number) {
    super();
    this.child('0', new NoParams());
    this.linear = this.child('1', new Linear(TRUNK_FEATURES, out));
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.linear.forward(g, relu(g, x));
  }
}

/** FanEncoder: image [N,3,224,224] → [eye(eyeDim) | emo(30) | mouth(512)] = pd_fpg [N, 548] for the defaults. */
export class PdFgcEncoder extends Module {
  readonly model = this.child('model', new FanTrunk());
  readonly toMouth = this.child('to_mouth', new FeatureHead());
  readonly toEye = this.child('to_eye', new FeatureHead());
  readonly toEmo = this.child('to_emo', new FeatureHead());
  readonly eyeEmbed: Embed;
  readonly emoEmbed: Embed;

  constructor(readonly poseDim = 6, readonly eyeDim = 6) {
    super();
    // mouth_embed exists in the official file but forward never uses it.
    this.child('mouth_embed', new Embed(TRUNK_FEATURES - poseDim - eyeDim));
    this.eyeEmbed = this.child('eye_embed', new Embed(eyeDim));
    this.emoEmbed = this.child('emo_embed', new Embed(30));
  }

  get outputDim(): number {
    return this.eyeDim + 30 + TRUNK_FEATURES;
  }

  forward(g: GraphBuilder, image: Value): Value {
    const x = this.model.forward(g, image);
    const eye = this.eyeEmbed.forward(g, this.toEye.forward(g, x));
    const emo = this.emoEmbed.forward(g, this.toEmo.forward(g, x));
    return op.concat(g, [eye, emo, this.toMouth.forward(g, x)], 1);
  }
}

/** BatchNorm step counters are bookkeeping, not weights. */
export const isPdFgcBookkeeping = (name: string): boolean => name.endsWith('.num_batches_tracked');
