// Real-ESRGAN's generator, RRDBNet (ESRGAN's Residual-in-Residual Dense Blocks), as a module tree named after its
// weights: conv_first, body.N.rdbK.convJ, conv_body, conv_up1, conv_up2, conv_hr, conv_last. For ×2 (and ×1) the
// input is pixel-unshuffled first (basicsr's scale-2 variant), so the trunk runs at half resolution and the two
// nearest ×2 upsamplings end at twice the input size. Graph ops only; no file I/O.
import { MemeError } from '../../../errors.ts';
import { Conv2d } from '../../nn/layers.ts';
import { Module, ModuleList } from '../../nn/module.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import { attr } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import type { WeightStore } from '../../weights/weight-store.ts';
import { targetRuns } from '../../onnx/target-check.ts';

export interface RrdbNetConfig {
  /** image channels in and out (3: RGB) */
  readonly channels: number;
  /** 1, 2 or 4; 1 and 2 pixel-unshuffle the input by 4 and 2 */
  readonly scale: 1 | 2 | 4;
  readonly numFeat: number;
  readonly numBlock: number;
  readonly numGrowCh: number;
}

/** RealESRGAN_x2plus.pth, the model HelloMeme applies (hellomeme/tools/sr.py). */
export const REAL_ESRGAN_X2PLUS: RrdbNetConfig = Object.freeze({ channels: 3, scale: 2, numFeat: 64, numBlock: 23, numGrowCh: 32 });

/** ESRGAN scales every residual branch by 0.2 before adding it back. */
const RESIDUAL_SCALE = 0.2;

const lrelu = (g: GraphBuilder, x: Value): Value => g.op('LeakyRelu', [x], { alpha: attr.float(0.2) });
const conv3 = (inCh: number, outCh: number) => new Conv2d(inCh, outCh, 3, { padding: 1 });

/** Five 3×3 convs, each fed the block input and every earlier output (dense connections). */
class ResidualDenseBlock extends Module {
  readonly convs: Conv2d[];

  constructor(numFeat: number, growCh: number) {
    super();
    this.convs = [0, 1, 2, 3, 4].map((i) => this.child(`conv${i + 1}`, conv3(numFeat + i * growCh, i === 4 ? numFeat : growCh)));
  }

  forward(g: GraphBuilder, x: Value): Value {
    const features = [x];
    for (const conv of this.convs.slice(0, 4)) features.push(lrelu(g, conv.forward(g, op.concat(g, features, 1))));
    const x5 = this.convs[4].forward(g, op.concat(g, features, 1));
    return op.add(g, op.mul(g, x5, g.scalar(RESIDUAL_SCALE)), x);
  }
}

class RRDB extends Module {
  readonly rdbs: ResidualDenseBlock[];

  constructor(numFeat: number, growCh: number) {
    super();
    this.rdbs = [1, 2, 3].map((i) => this.child(`rdb${i}`, new ResidualDenseBlock(numFeat, growCh)));
  }

  forward(g: GraphBuilder, x: Value): Value {
    const out = this.rdbs.reduce((h, rdb) => rdb.forward(g, h), x);
    return op.add(g, op.mul(g, out, g.scalar(RESIDUAL_SCALE)), x);
  }
}

/**
 * torch's pixel_unshuffle: channel c·r² + i·r + j of the output is pixel (i, j) of each r×r block of channel c.
 * ONNX SpaceToDepth orders its output channels (i·r + j)·C + c, so a Gather puts them in torch's order. A target
 * without SpaceToDepth (WebGPU) gets the same map as a stride-r convolution with one-hot r×r kernels: each output
 * is one input pixel times 1 plus zeros, exact in fp16 too.
 */
function pixelUnshuffle(g: GraphBuilder, x: Value, channels: number, r: number): Value {
  if (!targetRuns(g, 'SpaceToDepth')) {
    const kernel = new Float32Array(channels * r * r * channels * r * r);
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < r; j++) kernel[(((c * r * r + i * r + j) * channels + c) * r + i) * r + j] = 1;
      }
    }
    return op.conv(g, x, g.floats([channels * r * r, channels, r, r], kernel), null, { stride: r });
  }
  const s2d = g.op('SpaceToDepth', [x], { blocksize: attr.int(r) });
  const order = Array.from({ length: channels * r * r }, (_, k) => (k % (r * r)) * channels + Math.floor(k / (r * r)));
  return g.op('Gather', [s2d, g.ints(order)], { axis: attr.int(1) });
}

export class RRDBNet extends Module {
  readonly conv_first: Conv2d;
  readonly body: ModuleList<RRDB>;
  readonly conv_body: Conv2d;
  readonly conv_up1: Conv2d;
  readonly conv_up2: Conv2d;
  readonly conv_hr: Conv2d;
  readonly conv_last: Conv2d;

  constructor(readonly config: RrdbNetConfig) {
    super();
    const { channels, numFeat, numGrowCh } = config;
    this.conv_first = this.child('conv_first', conv3(channels * this.unshuffle ** 2, numFeat));
    this.body = this.child('body', new ModuleList(Array.from({ length: config.numBlock }, () => new RRDB(numFeat, numGrowCh))));
    this.conv_body = this.child('conv_body', conv3(numFeat, numFeat));
    this.conv_up1 = this.child('conv_up1', conv3(numFeat, numFeat));
    this.conv_up2 = this.child('conv_up2', conv3(numFeat, numFeat));
    this.conv_hr = this.child('conv_hr', conv3(numFeat, numFeat));
    this.conv_last = this.child('conv_last', conv3(numFeat, channels));
  }

  /** The pixel-unshuffle factor: the trunk always works at 1/4 of the output size. */
  get unshuffle(): number {
    return 4 / this.config.scale;
  }

  /** x: [N, C, H, W] (H, W multiples of the unshuffle factor) → [N, C, H·scale, W·scale]. */
  forward(g: GraphBuilder, x: Value): Value {
    const input = this.unshuffle > 1 ? pixelUnshuffle(g, x, this.config.channels, this.unshuffle) : x;
    const feat = this.conv_first.forward(g, input);
    const trunk = this.conv_body.forward(
      g,
      this.body.items.reduce((h, block) => block.forward(g, h), feat),
    );
    let up = op.add(g, feat, trunk);
    up = lrelu(g, this.conv_up1.forward(g, op.resizeNearestScale(g, up, 2)));
    up = lrelu(g, this.conv_up2.forward(g, op.resizeNearestScale(g, up, 2)));
    return this.conv_last.forward(g, lrelu(g, this.conv_hr.forward(g, up)));
  }
}

/** The architecture a state dict describes (as Real-ESRGAN's loaders do): sizes from the conv shapes. */
export function rrdbNetConfigOf(store: WeightStore): RrdbNetConfig {
  const shape = (name: string) => {
    if (!store.has(name)) throw new MemeError('BAD_WEIGHTS', `not RRDBNet (Real-ESRGAN) weights: '${name}' is missing`, { name });
    return store.get(name).shape;
  };
  const [numFeat, firstIn] = shape('conv_first.weight');
  const [channels] = shape('conv_last.weight');
  const [numGrowCh] = shape('body.0.rdb1.conv1.weight');
  const blocks = new Set(store.names().flatMap((n) => /^body\.(\d+)\./.exec(n)?.[1] ?? []));
  const scale = ({ 1: 4, 4: 2, 16: 1 } as Record<number, 1 | 2 | 4>)[firstIn / channels];
  if (!scale) throw new MemeError('BAD_WEIGHTS', `RRDBNet: conv_first takes ${firstIn} channels for ${channels}-channel images (expected ×1, ×4 or ×16)`);
  return { channels, scale, numFeat, numBlock: blocks.size, numGrowCh };
}
