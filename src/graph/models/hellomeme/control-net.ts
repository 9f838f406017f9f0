// HM5ControlNetBase (expression tokens + SmallUnetV5) and HM5SD15ControlProj (eight HMProjectors) as Module
// trees with the official key names. Sizes come from the weight shapes, because the official config.json
// files do not describe them (the constructors hard-code them). Graph ops only; no file I/O.
import { MemeError } from '../../../errors.ts';
import { TimestepEmbedding, Timesteps } from '../../nn/embeddings.ts';
import { Conv2d } from '../../nn/layers.ts';
import { Module, ModuleList, NoParams } from '../../nn/module.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import { attr } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import type { WeightStore } from '../../weights/weight-store.ts';
import { STKAttentionV5, STKCrossAttentionV5 } from './knitting-attention.ts';
import { dimsOf, instanceNorm, reshapeTo } from './shape-ops.ts';

/** pd_fpg width (6 eye + 30 emotion + 512 mouth), ARKit coefficients, face parts and the sinusoid width. */
export const PD_FPG_DIM = 548;
const ARKIT_DIM = 51;
const FACE_PARTS = 3;
const EMBED_DIM = 1024;
const TOKENS = 16;
export const ARKIT_COEFFS = ARKIT_DIM;
export const FACE_PART_COUNT = FACE_PARTS;
export const FACE_PART_DIM = EMBED_DIM;
/** the official scales applied to the coefficients before the sinusoid */
const PD_FPG_SCALE = 20;
const ARKIT_SCALE = 500;

const relu = (g: GraphBuilder, x: Value): Value => g.op('Relu', [x]);

/** torchvision BasicBlock (stride 2) with InstanceNorm and a conv1x1 → IN → SiLU shortcut. */
class BasicBlockIn extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d;

  constructor(readonly inChannels: number, readonly outChannels: number) {
    super();
    this.conv1 = this.child('conv1', new Conv2d(inChannels, outChannels, 3, { stride: 2, padding: 1, bias: false }));
    this.conv2 = this.child('conv2', new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false }));
    this.shortcut = this.child('downsample', new ModuleList<Module>([new Conv2d(inChannels, outChannels, 1, { stride: 2, bias: false }), new NoParams(), new NoParams()])).items[0] as Conv2d;
  }

  forward(g: GraphBuilder, x: Value): Value {
    const c = this.outChannels;
    const h = relu(g, instanceNorm(g, this.conv1.forward(g, x), c));
    const main = instanceNorm(g, this.conv2.forward(g, h), c);
    const skip = op.silu(g, instanceNorm(g, this.shortcut.forward(g, x), c));
    return relu(g, op.add(g, main, skip));
  }
}

/** conv3x3 → IN → SiLU → bilinear ×2 (`up_blocks.{i}.0`). */
class UpStage extends Module {
  readonly conv: Conv2d;

  constructor(readonly inChannels: number, readonly outChannels: number) {
    super();
    this.conv = new Conv2d(inChannels, outChannels, 3, { padding: 1 });
    this.child('0', this.conv);
  }

  forward(g: GraphBuilder, x: Value): Value {
    const h = op.silu(g, instanceNorm(g, this.conv.forward(g, x), this.outChannels));
    return bilinearScale2(g, h);
  }
}

function bilinearScale2(g: GraphBuilder, x: Value): Value {
  const scales = g.constant('float32', [4], Float32Array.of(1, 1, 2, 2), 'scales');
  return g.op('Resize', [x, null, scales], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') });
}

/** Bilinear resize to (H/8, W/8) with torch's align_corners=False sampling and no antialias. */
function bilinearEighth(g: GraphBuilder, x: Value): Value {
  const hw = op.div(g, dimsOf(g, x, 2, 4), g.ints([8, 8]));
  const sizes = op.concat(g, [dimsOf(g, x, 0, 2), hw], 0);
  return g.op('Resize', [x, null, null, sizes], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('pytorch_half_pixel') });
}

interface SmallUnetPlan {
  readonly inChannels: number;
  readonly midChannels: readonly [number, number, number];
  readonly outChannels: number;
  readonly contextDim: number;
}

class SmallUnetV5 extends Module {
  readonly downBlocks: BasicBlockIn[];
  readonly upBlocks: UpStage[];
  readonly attnBlocks: STKCrossAttentionV5[];

  constructor(readonly plan: SmallUnetPlan) {
    super();
    const down = [plan.inChannels, ...plan.midChannels];
    const up = [...[...plan.midChannels].reverse(), plan.outChannels];
    this.downBlocks = this.child('down_blocks', new ModuleList(plan.midChannels.map((c, i) => new BasicBlockIn(down[i], c)))).items;
    this.upBlocks = this.child('up_blocks', new ModuleList(up.slice(1).map((c, i) => new UpStage(up[i], c)))).items;
    this.attnBlocks = this.child('attn_blocks', new ModuleList(plan.midChannels.map((c) => new STKCrossAttentionV5(c, plan.contextDim)))).items;
  }

  /** x [N,C,h,w] (frames folded), context [N,16,D] → feat_0..3 (coarsest first), each [N,C_k,h_k,w_k]. */
  forward(g: GraphBuilder, x: Value, context: Value): Value[] {
    const skips: Value[] = [];
    let h = x;
    this.downBlocks.forEach((block, i) => {
      h = this.attnBlocks[i].forward(g, block.forward(g, h), context);
      skips.push(h);
    });
    const feats = [h];
    const rest = skips.slice(0, -1).reverse();
    this.upBlocks.forEach((block, i) => {
      h = block.forward(g, h);
      if (i < rest.length) h = op.add(g, h, rest[i]);
      feats.push(h);
    });
    return feats;
  }
}

export class HM5ControlNetBase extends Module {
  readonly emoProj: TimestepEmbedding;
  readonly emoPreProj: TimestepEmbedding;
  readonly expPreProj: TimestepEmbedding;
  readonly facePreProj: TimestepEmbedding;
  readonly expProj: TimestepEmbedding;
  readonly faceProj: TimestepEmbedding;
  readonly ctrlAttn: SmallUnetV5;
  private readonly sinusoid = new Timesteps(EMBED_DIM, true, 0);

  constructor(readonly plan: SmallUnetPlan) {
    super();
    const d = plan.contextDim;
    this.emoPreProj = this.child('emo_pre_proj', new TimestepEmbedding(PD_FPG_DIM, TOKENS));
    this.emoProj = this.child('emo_proj', new TimestepEmbedding(EMBED_DIM, d));
    // cntrl1 heads: ARKit coefficients and CLIP face-part embeddings.
    this.expPreProj = this.child('exp_pre_proj', new TimestepEmbedding(ARKIT_DIM, TOKENS));
    this.facePreProj = this.child('face_pre_proj', new TimestepEmbedding(FACE_PARTS, TOKENS));
    this.expProj = this.child('exp_proj', new TimestepEmbedding(EMBED_DIM, d));
    this.faceProj = this.child('face_proj', new TimestepEmbedding(EMBED_DIM, d));
    this.ctrlAttn = this.child('ctrl_attn', new SmallUnetV5(plan));
  }

  /**
   * coefficients [N,K] (float32: the sinusoid's arguments reach 20·e or 500·e, too coarse in fp16) → sinusoid of
   * scale·e per scalar, mixed over the K axis by `pre` → [N,16,1024] in the compute type.
   */
  private coefficientTokens(g: GraphBuilder, coeffs: Value, count: number, scale: number, pre: TimestepEmbedding): Value {
    const flat = reshapeTo(g, op.mul(g, coeffs, g.constant('float32', [], Float32Array.of(scale), 'coeff_scale')), [[-1]]);
    const emb = reshapeTo(g, this.sinusoid.forward(g, flat), [[-1, count, EMBED_DIM]]);
    return op.transpose(g, pre.forward(g, op.transpose(g, emb, [0, 2, 1])), [0, 2, 1]);
  }

  /** cntrl2: pd_fpg [N,548] float32 (frames folded) → 16 expression tokens [N,16,D]. */
  expressionTokens(g: GraphBuilder, pdFpg: Value): Value {
    return this.emoProj.forward(g, this.coefficientTokens(g, pdFpg, PD_FPG_DIM, PD_FPG_SCALE, this.emoPreProj));
  }

  /** cntrl1: ARKit [N,51] float32 and face parts [N,3,1024] → exp_proj(ARKit tokens) + face_proj(face-part tokens). */
  arkitTokens(g: GraphBuilder, arkit: Value, faceParts: Value): Value {
    const exp = this.expProj.forward(g, this.coefficientTokens(g, arkit, ARKIT_DIM, ARKIT_SCALE, this.expPreProj));
    const face = op.transpose(g, this.facePreProj.forward(g, op.transpose(g, faceParts, [0, 2, 1])), [0, 2, 1]);
    return op.add(g, exp, this.faceProj.forward(g, face));
  }

  /** condition [N,3,Hc,Wc] and expression tokens [N,16,D] → feat_0..3. */
  forward(g: GraphBuilder, condition: Value, tokens: Value): Value[] {
    return this.ctrlAttn.forward(g, bilinearEighth(g, condition), tokens);
  }
}

/** HMProjector: conv3x3 (no bias) A→B, then STKAttentionV5(B, B/4) with its residual. */
class HMProjector extends Module {
  readonly proj: Conv2d;
  readonly attn: STKAttentionV5;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.proj = this.child('proj', new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false }));
    this.attn = this.child('attn', new STKAttentionV5(outChannels, Math.floor(outChannels / 4)));
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.attn.forward(g, this.proj.forward(g, x));
  }
}

/** output key → [projector attribute, index of the SmallUnetV5 feature it reads] */
export const CONTROL_MAPS: readonly (readonly [string, string, number])[] = [
  ['up3_0', 'map1280_to_1280', 0],
  ['up3_1', 'map640_to_1280', 1],
  ['up3_2', 'map320_to_1280', 2],
  ['up3_3', 'map320_to_640', 3],
  ['down3_0', 'map320_to_320', 2],
  ['down3_1', 'map640_to_640', 1],
  ['down3_2', 'map1280_to_1280_2', 0],
  ['down3_3', 'map1280_to_1280_3', 0],
];

export class HM5SD15ControlProj extends Module {
  readonly maps = new Map<string, HMProjector>();

  /** sizes: attribute → [in, out] channels, read from `<attr>.proj.weight`. */
  constructor(sizes: ReadonlyMap<string, readonly [number, number]>) {
    super();
    for (const [, name] of CONTROL_MAPS) {
      const size = sizes.get(name);
      if (!size) throw new MemeError('BAD_WEIGHTS', `hm5_control_proj: ${name}.proj.weight is missing`);
      this.maps.set(name, this.child(name, new HMProjector(size[0], size[1])));
    }
  }

  /** feats [N,C,h,w] (coarsest first) → the eight control maps by key. */
  forward(g: GraphBuilder, feats: readonly Value[]): Map<string, Value> {
    const out = new Map<string, Value>();
    for (const [key, name, feat] of CONTROL_MAPS) out.set(key, (this.maps.get(name) as HMProjector).forward(g, feats[feat]));
    return out;
  }
}

function shapeOfWeight(store: WeightStore, name: string, where: string): readonly number[] {
  if (!store.has(name)) throw new MemeError('BAD_WEIGHTS', `${where}: weight '${name}' is missing (needed to size the module)`, { name });
  return store.get(name).shape;
}

/** SmallUnetV5 sizes from hm5_control_base weights. */
export function controlBasePlan(store: WeightStore): SmallUnetPlan {
  const w = (n: string) => shapeOfWeight(store, n, 'hm5_control_base');
  const mid = [0, 1, 2].map((i) => w(`ctrl_attn.down_blocks.${i}.conv1.weight`)[0]) as [number, number, number];
  return { inChannels: w('ctrl_attn.down_blocks.0.conv1.weight')[1], midChannels: mid, outChannels: w('ctrl_attn.up_blocks.2.0.weight')[0], contextDim: w('emo_proj.linear_2.weight')[0] };
}

/** HMProjector sizes from hm5_control_proj weights. */
export function controlProjSizes(store: WeightStore): Map<string, readonly [number, number]> {
  const sizes = new Map<string, readonly [number, number]>();
  for (const [, name] of CONTROL_MAPS) {
    const s = shapeOfWeight(store, `${name}.proj.weight`, 'hm5_control_proj');
    sizes.set(name, [s[1], s[0]]);
  }
  return sizes;
}
