// GroupNorm where a group is near-constant (variance below eps): the zero latent of the CFG uncond half gives
// conv_in's bias alone, constant over space, at down_blocks.0.resnets.0.norm1. The graph's two-pass variance is
// measured against float64 computed here, next to ONNX GroupNormalization-21 as ORT runs it (one-pass E[x²] − E[x]²).
import { describe, expect, it } from 'vitest';
import { frameTimeEmbedding } from '../../src/graph/models/hellomeme/hooked-unet.ts';
import { dimsOf } from '../../src/graph/models/hellomeme/shape-ops.ts';
import { UNet2DConditionModel } from '../../src/graph/models/sd15/unet.ts';
import { parseUnetConfig } from '../../src/graph/models/sd15/unet-config.ts';
import { bindWeights } from '../../src/graph/nn/bind.ts';
import { GroupNorm } from '../../src/graph/nn/layers.ts';
import { GraphBuilder, type Value } from '../../src/graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../../src/graph/onnx/model-writer.ts';
import * as op from '../../src/graph/onnx/ops.ts';
import { createSession, type HostTensor } from '../../src/graph/runtime.ts';
import { storeFromHost, type WeightStore } from '../../src/graph/weights/weight-store.ts';
import { randomParam, seededNormals } from '../helpers/tiny-hellomeme/tiny-weights.ts';
import { conv2d, type F64Tensor, groupNorm, maxAbsError, resnetBlock, silu, timeEmbedding, weight64 } from './float64-reference.ts';

async function runGraph(g: GraphBuilder, feeds: Record<string, HostTensor>): Promise<Record<string, Float32Array>> {
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.dispose();
  }
}

/** The fused op the cpu target used before: ONNX GroupNormalization-21 (+ SiLU). */
function fusedGroupNorm(g: GraphBuilder, x: Value, store: WeightStore, prefix: string, groups: number, eps: number): Value {
  const w = (n: string) => g.weight(`${prefix}${n}`, store.get(`${prefix}${n}`));
  return op.silu(g, g.op('GroupNormalization', [x, w('weight'), w('bias')], { num_groups: { kind: 'int', value: groups }, epsilon: { kind: 'float', value: eps } }));
}

/**
 * Each group: an offset ~N(0, 0.05²) (the scale of a conv bias), its channels ~3e-3 apart, plus `noise` over space:
 * group variances of a few 1e-6, below eps = 1e-5, as issue 14 measured at norm1 with real weights (7e-6).
 */
function nearConstantMap(n: number, c: number, groups: number, spatial: number, seed: number, noise: number): Float32Array {
  const offsets = seededNormals(n * groups, seed, 0.05);
  const channel = seededNormals(n * c, seed + 1, 3e-3);
  const jitter = seededNormals(n * c * spatial, seed + 2, noise);
  return Float32Array.from(jitter, (v, i) => {
    const nc = Math.floor(i / spatial);
    return offsets[Math.floor(nc / c) * groups + Math.floor((nc % c) / (c / groups))] + channel[nc] + v;
  });
}

describe('GroupNorm on a near-constant input', () => {
  const [n, c, h, w, groups, eps] = [2, 32, 8, 16, 16, 1e-5];
  const store = storeFromHost({
    weight: { shape: [c], data: seededNormals(c, 11, 0.1, 1) },
    bias: { shape: [c], data: seededNormals(c, 12, 0.05) },
  });

  it('two passes stay within 1e-5 of float64; the one-pass GroupNormalization-21 misses by over 5x as much', async () => {
    const x = nearConstantMap(n, c, groups, h * w, 7, 1e-4);
    const expected = silu(groupNorm({ dims: [n, c, h, w], data: Float64Array.from(x) }, groups, eps, await weight64(store, 'weight'), await weight64(store, 'bias')));
    const norm = new GroupNorm(groups, c, eps);
    bindWeights(norm, store);
    const g = new GraphBuilder({ target: 'cpu' });
    const input = g.input('x', 'float32', [n, c, h, w]);
    g.output(norm.forward(g, input, { silu: true }), 'two_pass', 'float32', [n, c, h, w]);
    g.output(fusedGroupNorm(g, input, store, '', groups, eps), 'fused', 'float32', [n, c, h, w]);
    const out = await runGraph(g, { x: { elem: 'float32', dims: [n, c, h, w], data: x } });
    const twoPass = maxAbsError(expected.data, out.two_pass);
    const fused = maxAbsError(expected.data, out.fused);
    expect(twoPass).toBeLessThan(1e-5);
    expect(fused).toBeGreaterThan(5 * twoPass);
  });
});

describe('reference-cache-like config: 4 heads, 16 norm groups, 8×16 latent, cross-attention 48, CFG zero latent', () => {
  const config = { block_out_channels: [32, 64], layers_per_block: 1, norm_num_groups: 16, cross_attention_dim: 48, attention_head_dim: 4, in_channels: 4, out_channels: 4, down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'], up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'] };
  const [height, width, groups, eps] = [8, 16, 16, 1e-5];

  /** Random weights by the goldens' recipe, except conv_in's bias: channels of a group a few 1e-3 apart, as in some groups of real checkpoints. */
  function weights(unet: UNet2DConditionModel): WeightStore {
    const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
    let seed = 100;
    for (const [name, slot] of unet.namedParams()) tensors[name] = { shape: slot.shape, data: randomParam({ name, dtype: 'F32', shape: [...slot.shape] }, ++seed) };
    const ch = config.block_out_channels[0];
    tensors['conv_in.bias'] = { shape: [ch], data: nearConstantMap(1, ch, groups, 1, 21, 0) };
    return storeFromHost(tensors);
  }

  it('conv_in → down_blocks.0.resnets.0 matches float64 on both CFG halves', async () => {
    const unet = new UNet2DConditionModel(parseUnetConfig(config));
    const store = weights(unet);
    bindWeights(unet, store);
    const ch = config.block_out_channels[0];
    const spatial = height * width;
    // Batch 0: a photo's latent; batch 1: zeros (the uncond half), so conv_in gives its bias alone.
    const latent = new Float32Array(2 * 4 * spatial);
    latent.set(seededNormals(4 * spatial, 31));
    const g = new GraphBuilder({ target: 'cpu' });
    const sample = g.input('sample', 'float32', [2, 4, height, width]);
    const tembAct = frameTimeEmbedding(g, unet, g.constant('float32', [1], Float32Array.of(0), 't0'), dimsOf(g, sample, 0), null);
    const h = unet.convIn.forward(g, sample);
    const resnet = unet.downBlocks[0].resnets[0];
    g.output(resnet.norm1.forward(g, h, { silu: true }), 'norm1', 'float32', null);
    g.output(fusedGroupNorm(g, h, store, 'down_blocks.0.resnets.0.norm1.', groups, eps), 'norm1_fused', 'float32', null);
    g.output(resnet.forward(g, h, tembAct), 'resnet', 'float32', null);
    const out = await runGraph(g, { sample: { elem: 'float32', dims: [2, 4, height, width], data: latent } });

    const x64: F64Tensor = { dims: [2, 4, height, width], data: Float64Array.from(latent) };
    const convIn = conv2d(x64, await weight64(store, 'conv_in.weight'), await weight64(store, 'conv_in.bias'), ch, 3, 1);
    const prefix = 'down_blocks.0.resnets.0';
    const norm1 = silu(groupNorm(convIn, groups, eps, await weight64(store, `${prefix}.norm1.weight`), await weight64(store, `${prefix}.norm1.bias`)));
    const temb = await timeEmbedding(store, [0, 0], ch, true, 0);
    const block = await resnetBlock(store, prefix, convIn, temb, groups, eps);

    const half = ch * spatial;
    const errors = {
      norm1: [maxAbsError(norm1.data, out.norm1, 0, half), maxAbsError(norm1.data, out.norm1, half)],
      norm1Fused: [maxAbsError(norm1.data, out.norm1_fused, 0, half), maxAbsError(norm1.data, out.norm1_fused, half)],
      resnet: [maxAbsError(block.data, out.resnet, 0, half), maxAbsError(block.data, out.resnet, half)],
    };
    // The modules' tolerance is 1e-4; fp32 with two passes lands well inside it on both halves (measured: norm1
    // 9.6e-6, resnet 1.8e-5 on the uncond half; about 1e-6 on the photo half).
    expect(Math.max(...errors.norm1), JSON.stringify(errors)).toBeLessThan(2e-5);
    expect(Math.max(...errors.resnet), JSON.stringify(errors)).toBeLessThan(5e-5);
    // The one-pass op is as good on the photo half but loses digits on the uncond half (measured 1.8e-4).
    expect(errors.norm1Fused[1], JSON.stringify(errors)).toBeGreaterThan(5 * errors.norm1[1]);
  });
});
