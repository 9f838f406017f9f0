// The PD-FGC expression encoder graph: official key names, the 548-d output per image, batch independence, and its
// FAN building blocks (ConvBlock, HourGlass with odd sizes) against a plain TypeScript reference on tiny sizes.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildPdFgcGraph } from '../../../src/graph/models/hellomeme/build-graph.ts';
import { ConvBlock, HourGlass, isPdFgcBookkeeping, PdFgcEncoder } from '../../../src/graph/models/hellomeme/pd-fgc-encoder.ts';
import { bindWeights } from '../../../src/graph/nn/bind.ts';
import { GraphBuilder } from '../../../src/graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../../../src/graph/onnx/model-writer.ts';
import { createSession } from '../../../src/graph/runtime.ts';
import { writeSafetensors } from '../../../src/graph/weights/safetensors-writer.ts';
import { storeFromHost, type WeightStore } from '../../../src/graph/weights/weight-store.ts';
import { batchSlice, f32, maxAbsDiff, randn, randomStore, readTensor, repoRoot } from '../golden-helpers.ts';

const run = promisify(execFile);

/** Random weights (as the goldens draw them) with BatchNorm running statistics near (0, 1), and a name → data map. */
async function bnSafeStore(module: Parameters<typeof randomStore>[0], seed: number): Promise<{ store: WeightStore; params: Map<string, Float32Array> }> {
  const random = randomStore(module, seed);
  const params = new Map<string, Float32Array>();
  let s = seed;
  for (const [name, entry] of random.entries) {
    s += 1;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('running_var')) params.set(name, randn(count, s, 0.1).map((v) => 1 + Math.abs(v)));
    else if (name.endsWith('running_mean')) params.set(name, randn(count, s, 0.1));
    else params.set(name, await entry.read());
  }
  const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
  for (const [name, entry] of random.entries) tensors[name] = { shape: entry.shape, data: params.get(name) as Float32Array };
  return { store: storeFromHost(tensors), params };
}

// ---- plain TypeScript reference ops over [C,H,W] (batch 1) ----
type Map3 = { c: number; h: number; w: number; d: Float32Array };
const at = (x: Map3, c: number, y: number, i: number) => (y < 0 || i < 0 || y >= x.h || i >= x.w ? 0 : x.d[(c * x.h + y) * x.w + i]);
function conv(x: Map3, w: Float32Array, out: number, k: number, pad: number): Map3 {
  const d = new Float32Array(out * x.h * x.w);
  for (let o = 0; o < out; o++)
    for (let y = 0; y < x.h; y++)
      for (let i = 0; i < x.w; i++) {
        let s = 0;
        for (let c = 0; c < x.c; c++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) s += w[((o * x.c + c) * k + ky) * k + kx] * at(x, c, y + ky - pad, i + kx - pad);
        d[(o * x.h + y) * x.w + i] = s;
      }
  return { c: out, h: x.h, w: x.w, d };
}
function bnRelu(x: Map3, p: (n: string) => Float32Array, prefix: string): Map3 {
  const [g, b, m, v] = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => p(`${prefix}.${n}`));
  const d = x.d.map((val, idx) => {
    const c = Math.floor(idx / (x.h * x.w));
    return Math.max(0, ((val - m[c]) / Math.sqrt(v[c] + 1e-5)) * g[c] + b[c]);
  });
  return { ...x, d };
}
function refConvBlock(x: Map3, p: (n: string) => Float32Array, pre: string, out: number): Map3 {
  const o1 = conv(bnRelu(x, p, `${pre}bn1`), p(`${pre}conv1.weight`), out / 2, 3, 1);
  const o2 = conv(bnRelu(o1, p, `${pre}bn2`), p(`${pre}conv2.weight`), out / 4, 3, 1);
  const o3 = conv(bnRelu(o2, p, `${pre}bn3`), p(`${pre}conv3.weight`), out / 4, 3, 1);
  const res = x.c !== out ? conv(bnRelu(x, p, `${pre}downsample.0`), p(`${pre}downsample.2.weight`), out, 1, 0) : x;
  const d = new Float32Array(out * x.h * x.w);
  d.set(o1.d, 0);
  d.set(o2.d, o1.d.length);
  d.set(o3.d, o1.d.length + o2.d.length);
  return { c: out, h: x.h, w: x.w, d: d.map((v, i) => v + res.d[i]) };
}
function maxPool(x: Map3): Map3 {
  const h = Math.floor(x.h / 2);
  const w = Math.floor(x.w / 2);
  const d = new Float32Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) for (let y = 0; y < h; y++) for (let i = 0; i < w; i++) d[(c * h + y) * w + i] = Math.max(at(x, c, 2 * y, 2 * i), at(x, c, 2 * y, 2 * i + 1), at(x, c, 2 * y + 1, 2 * i), at(x, c, 2 * y + 1, 2 * i + 1));
  return { c: x.c, h, w, d };
}
/** torch bilinear, align_corners=False, to (h, w). */
function bilinear(x: Map3, h: number, w: number): Map3 {
  const src = (o: number, inSize: number, outSize: number) => Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
  const d = new Float32Array(x.c * h * w);
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < h; y++)
      for (let i = 0; i < w; i++) {
        const sy = src(y, x.h, h);
        const sx = src(i, x.w, w);
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const y1 = Math.min(y0 + 1, x.h - 1);
        const x1 = Math.min(x0 + 1, x.w - 1);
        const fy = sy - y0;
        const fx = sx - x0;
        d[(c * h + y) * w + i] = (1 - fy) * ((1 - fx) * at(x, c, y0, x0) + fx * at(x, c, y0, x1)) + fy * ((1 - fx) * at(x, c, y1, x0) + fx * at(x, c, y1, x1));
      }
  return { c: x.c, h, w, d };
}
function refHourGlass(x: Map3, p: (n: string) => Float32Array, level: number): Map3 {
  const up1 = refConvBlock(x, p, `b1_${level}.`, x.c);
  const low1 = refConvBlock(maxPool(x), p, `b2_${level}.`, x.c);
  const low2 = level > 1 ? refHourGlass(low1, p, level - 1) : refConvBlock(low1, p, 'b2_plus_1.', x.c);
  const low3 = refConvBlock(low2, p, `b3_${level}.`, x.c);
  const up2 = bilinear(low3, up1.h, up1.w);
  return { ...up1, d: up1.d.map((v, i) => v + up2.d[i]) };
}

async function runBlock(module: ConvBlock | HourGlass, store: WeightStore, x: Map3): Promise<Float32Array> {
  bindWeights(module, store);
  const g = new GraphBuilder();
  const input = g.input('x', 'float32', [1, x.c, x.h, x.w]);
  g.output(module.forward(g, input), 'y', 'float32', null);
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', threads: 1 });
  try {
    return (await session.run({ x: f32([1, x.c, x.h, x.w], x.d) })).y.data as Float32Array;
  } finally {
    await session.dispose();
  }
}

describe('PD-FGC expression encoder', () => {
  it('declares the official key names', () => {
    const names = new Set([...new PdFgcEncoder().namedParams()].map(([n]) => n));
    for (const key of ['model.conv1.weight', 'model.bn1.running_var', 'model.conv2.downsample.0.running_mean', 'model.conv2.downsample.2.weight', 'model.conv4.bn3.weight', 'model.m0.b1_4.conv1.weight', 'model.m0.b2_plus_1.conv3.weight', 'model.top_m_0.bn1.bias', 'model.conv_last0.bias', 'model.bn_end0.weight', 'model.l0.weight', 'model.bn5.running_mean', 'model.conv6.weight', 'model.fc.weight', 'to_mouth.0.weight', 'to_mouth.2.running_var', 'to_mouth.3.bias', 'to_eye.3.weight', 'to_emo.2.weight', 'eye_embed.1.weight', 'emo_embed.1.bias', 'mouth_embed.1.weight']) {
      expect(names.has(key), key).toBe(true);
    }
    expect(names.has('model.conv3.downsample.0.weight')).toBe(false);
    expect(isPdFgcBookkeeping('model.bn1.num_batches_tracked')).toBe(true);
  });

  it('ConvBlock with a projected residual matches a plain reference', async () => {
    const block = new ConvBlock(4, 8);
    const { store, params } = await bnSafeStore(block, 5);
    const x: Map3 = { c: 4, h: 5, w: 5, d: randn(100, 9) };
    const actual = await runBlock(block, store, x);
    expect(maxAbsDiff(refConvBlock(x, (n) => params.get(n) as Float32Array, '', 8).d, actual)).toBeLessThanOrEqual(1e-4);
  });

  it('HourGlass (depth 2, odd sizes) matches a plain reference', async () => {
    const hg = new HourGlass(2, 8);
    const { store, params } = await bnSafeStore(hg, 17);
    const x: Map3 = { c: 8, h: 7, w: 7, d: randn(8 * 49, 3) };
    const actual = await runBlock(hg, store, x);
    expect(maxAbsDiff(refHourGlass(x, (n) => params.get(n) as Float32Array, 2).d, actual)).toBeLessThanOrEqual(1e-4);
  });

  it('runs from an official-layout folder through `memeloom graph run --model pd-fgc`', async () => {
    const encoder = new PdFgcEncoder();
    const { params } = await bnSafeStore(encoder, 31);
    const dir = mkdtempSync(join(tmpdir(), 'pd-fgc-'));
    try {
      const weights = join(dir, 'pd_fgc_motion');
      mkdirSync(weights);
      writeFileSync(join(weights, 'config.json'), JSON.stringify({ _class_name: 'FanEncoder', pose_dim: 6, eye_dim: 6 }));
      const tensors = [...encoder.namedParams()].map(([name, slot]) => ({ name, dtype: 'F32' as const, shape: slot.shape, data: params.get(name) as Float32Array }));
      tensors.push({ name: 'model.bn1.num_batches_tracked', dtype: 'F32', shape: [], data: Float32Array.of(0) });
      await writeSafetensors(join(weights, 'diffusion_pytorch_model.safetensors'), tensors);
      const image = randn(3 * 224 * 224, 37).map((v) => Math.tanh(v));
      await writeSafetensors(join(dir, 'in.safetensors'), [{ name: 'image', dtype: 'F32', shape: [1, 3, 224, 224], data: image }]);
      await run(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'pd-fgc', '--weights', weights, '--inputs', join(dir, 'in.safetensors'), '--out', join(dir, 'out.safetensors')], { cwd: repoRoot });
      const out = await readTensor(join(dir, 'out.safetensors'), 'pd_fpg');
      expect(out.dims).toEqual([1, 548]);
      bindWeights(encoder, storeFromHost(Object.fromEntries(tensors.slice(0, -1).map((t) => [t.name, t]))));
      const g = buildPdFgcGraph(encoder);
      const session = await createSession(await encodeModelInline(g), { provider: 'cpu', threads: 1 });
      const direct = (await session.run({ image: f32([1, 3, 224, 224], image) }).finally(() => session.dispose())).pd_fpg;
      expect(maxAbsDiff(direct.data as Float32Array, out.data)).toBeLessThanOrEqual(1e-5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps each 224² face to a 548-d pd_fpg vector, batch elements independent', async () => {
    const encoder = new PdFgcEncoder();
    bindWeights(encoder, (await bnSafeStore(encoder, 23)).store, { knownUnused: isPdFgcBookkeeping });
    const g = buildPdFgcGraph(encoder);
    const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
    try {
      const image = f32([2, 3, 224, 224], randn(2 * 3 * 224 * 224, 29).map((v) => Math.tanh(v)));
      const both = (await session.run({ image })).pd_fpg;
      expect(both.dims).toEqual([2, 548]);
      expect([...(both.data as Float32Array)].every(Number.isFinite)).toBe(true);
      const second = (await session.run({ image: batchSlice(image, 1, 1) })).pd_fpg;
      expect(maxAbsDiff(batchSlice(both, 1, 1).data, second.data as Float32Array)).toBeLessThanOrEqual(1e-4);
    } finally {
      await session.dispose();
    }
  });
});
