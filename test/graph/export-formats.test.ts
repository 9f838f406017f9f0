// What the graph writer emits besides inline fp32: external data (fp32 pointing into the .safetensors, fp16 in a
// .data file), the cuda target's fused ops, the compiled-graph cache and `memeloom models build`.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSd15Model, defaultFloatType } from '../../src/graph/models/sd15/compile-model.ts';
import { buildSd15Graph } from '../../src/graph/models/sd15/build-graph.ts';
import { writeModelExternal } from '../../src/graph/onnx/model-writer.ts';
import { type HostTensor, createSession } from '../../src/graph/runtime.ts';
import { type WeightStore, openSafetensorsStore } from '../../src/graph/weights/weight-store.ts';
import { deriveGraphRunCase } from './graph-run-cases.ts';
import { golden, maxAbsDiff, readJson, readTensor, repoRoot } from './golden-helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const unetDir = (f: string) => golden('unet_sd15_tiny', f);
const config = readJson(unetDir('config.json'));
let store: WeightStore;
let feeds: Record<string, HostTensor>;
let expected: Float32Array;

beforeAll(async () => {
  store = await openSafetensorsStore([unetDir('diffusion_pytorch_model.safetensors')]);
  const inputs = unetDir('inputs.safetensors');
  feeds = { sample: await readTensor(inputs, 'sample'), encoder_hidden_states: await readTensor(inputs, 'encoder_hidden_states'), timestep: await readTensor(inputs, 'timesteps_batch') };
  expected = (await readTensor(unetDir('outputs.safetensors'), 'out_batch_t')).data;
});
afterAll(() => store.close());

function decode(path: string) {
  return onnxProto.onnx.ModelProto.decode(readFileSync(path));
}

async function runModel(path: string, inputs: ReturnType<typeof buildSd15Graph>['inputs']): Promise<Float32Array> {
  const session = await createSession(path, { provider: 'cpu', inputs, threads: 1 });
  try {
    return (await session.run(feeds)).out_sample.data as Float32Array;
  } finally {
    await session.dispose();
  }
}

describe('external data', () => {
  it('fp32: every weight points into the safetensors bytes, nothing is copied, output matches the golden', async () => {
    // the weights sit in the model's folder, as in a cache entry (elsewhere they get a hard link there)
    const dir = join(work, 'fp32');
    mkdirSync(dir);
    copyFileSync(unetDir('diffusion_pytorch_model.safetensors'), join(dir, 'weights.safetensors'));
    const local = await openSafetensorsStore([join(dir, 'weights.safetensors')]);
    const g = buildSd15Graph('unet', config, local);
    const written = await writeModelExternal(g, join(dir, 'unet.onnx'));
    await local.close();
    expect(written.copiedTensors).toBe(0);
    expect(written.referencedTensors).toBe(686);
    const model = decode(written.modelPath);
    const conv = model.graph?.initializer?.find((t) => t.name === 'conv_in.weight');
    expect(conv?.dataLocation).toBe(1);
    expect(conv?.externalData?.find((e) => e.key === 'location')?.value).toBe('weights.safetensors');
    const info = store.get('conv_in.weight').location;
    expect(conv?.externalData?.find((e) => e.key === 'offset')?.value).toBe(String(info?.offset));
    expect(statSync(written.modelPath).size).toBeLessThan(600_000);
    expect(maxAbsDiff(expected, await runModel(written.modelPath, g.inputs))).toBeLessThanOrEqual(1e-4);
  });

  it('fp16: weights converted into a .data file, runs on the CPU close to the fp32 golden', async () => {
    const dir = join(work, 'fp16');
    mkdirSync(dir);
    const g = buildSd15Graph('unet', config, store, { floatType: 'float16' });
    const written = await writeModelExternal(g, join(dir, 'unet.onnx'));
    expect(written.copiedTensors).toBe(686);
    const model = decode(written.modelPath);
    const conv = model.graph?.initializer?.find((t) => t.name === 'conv_in.weight');
    expect(conv?.dataType).toBe(10);
    expect(conv?.externalData?.find((e) => e.key === 'location')?.value).toBe('unet.onnx.data');
    expect(conv?.externalData?.find((e) => e.key === 'length')?.value).toBe(String(16 * 4 * 9 * 2));
    expect(model.graph?.input?.[0].type?.tensorType?.elemType).toBe(1);
    const out = await runModel(written.modelPath, g.inputs);
    const err = maxAbsDiff(expected, out);
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(2e-2);
  });
});

describe('cuda target', () => {
  it('emits fp16 weights and the fused com.microsoft ops from the same modules', () => {
    const g = buildSd15Graph('unet', config, store, { target: 'cuda' });
    const count = (domain: string, op: string) => g.nodes.filter((n) => n.domain === domain && n.opType === op).length;
    // 22 resnets × 2 norms + 16 transformer norms + conv_norm_out = 61 GroupNorms, each two ReduceMeans in fp32:
    // the fused kernel's one-pass variance is not used (targets.ts)
    expect(count('com.microsoft', 'GroupNorm')).toBe(0);
    expect(count('', 'GroupNormalization')).toBe(0);
    expect(count('', 'ReduceMean')).toBe(2 * 61);
    expect(count('com.microsoft', 'MultiHeadAttention')).toBe(32);
    expect(count('com.microsoft', 'BiasSplitGelu')).toBe(16);
    expect(count('', 'Softmax')).toBe(0);
    expect(g.usedDomains.has('com.microsoft')).toBe(true);
    expect([...g.initializers.values()].filter((i) => i.kind === 'weight').every((i) => i.elem === 'float16')).toBe(true);
    // cpu: fp32, the same fused attention (ORT's CPU flash attention), GEGLU's gate written out
    const cpu = buildSd15Graph('unet', config, store);
    const microsoft = cpu.nodes.filter((n) => n.domain === 'com.microsoft');
    expect(microsoft.map((n) => n.opType)).toEqual(Array(32).fill('MultiHeadAttention'));
    expect(cpu.nodes.filter((n) => n.opType === 'Softmax')).toHaveLength(0);
  });

  it('keeps a force_upcast VAE in fp32 (it overflows fp16), the rest in fp16', () => {
    expect(defaultFloatType('unet', 'cuda', config)).toBe('float16');
    expect(defaultFloatType('clip-text', 'cuda', {})).toBe('float16');
    expect(defaultFloatType('vae-decoder', 'cuda', { force_upcast: true })).toBe('float32');
    expect(defaultFloatType('vae-encoder', 'cuda', {})).toBe('float32');
    expect(defaultFloatType('vae-decoder', 'cuda', { force_upcast: false })).toBe('float16');
    expect(defaultFloatType('unet', 'cpu', config)).toBe('float32');
  });

  it('`memeloom graph build --target cuda` writes a model importing com.microsoft', async () => {
    const out = join(work, 'cuda-build', 'unet.onnx');
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/memeloom.js', 'graph', 'build', '--model', 'unet', '--weights', unetDir('diffusion_pytorch_model.safetensors'), '--config', unetDir('config.json'), '--target', 'cuda', '--out', out], { cwd: repoRoot });
    expect(stdout).toContain('686 written to');
    const model = decode(out);
    expect(model.opsetImport?.map((o) => o.domain)).toEqual(['', 'com.microsoft']);
    expect(model.graph?.node?.some((n) => n.opType === 'MultiHeadAttention' && n.domain === 'com.microsoft')).toBe(true);
  });
});

describe('compiled-graph cache and models build', () => {
  it('compiles once per content hash and reuses the entry', async () => {
    const cacheDir = join(work, 'cache');
    const first = await compileSd15Model('unet', unetDir('diffusion_pytorch_model.safetensors'), unetDir('config.json'), { cacheDir });
    const second = await compileSd15Model('unet', unetDir('diffusion_pytorch_model.safetensors'), unetDir('config.json'), { cacheDir });
    expect(first.fromCache).toBe(false);
    expect(second.fromCache).toBe(true);
    expect(second.modelPath).toBe(first.modelPath);
    const fp16 = await compileSd15Model('unet', unetDir('diffusion_pytorch_model.safetensors'), unetDir('config.json'), { cacheDir, floatType: 'float16' });
    expect(fp16.key).not.toBe(first.key);
    expect(maxAbsDiff(expected, await runModel(second.modelPath, second.inputs))).toBeLessThanOrEqual(1e-4);
  });

  it('`memeloom models build` compiles a diffusers folder and prints what it wrote', async () => {
    const pipe = join(work, 'pipeline');
    const copy = (from: string, toDir: string, name: string) => {
      mkdirSync(join(pipe, toDir), { recursive: true });
      copyFileSync(from, join(pipe, toDir, name));
    };
    copy(unetDir('config.json'), 'unet', 'config.json');
    copy(unetDir('diffusion_pytorch_model.safetensors'), 'unet', 'diffusion_pytorch_model.safetensors');
    copy(golden('vae_sd15_tiny', 'config.json'), 'vae', 'config.json');
    copy(golden('vae_sd15_tiny', 'diffusion_pytorch_model.safetensors'), 'vae', 'diffusion_pytorch_model.safetensors');
    const clipCase = await deriveGraphRunCase('clip-text', work);
    copy(clipCase.config as string, 'text_encoder', 'config.json');
    copy(clipCase.weights, 'text_encoder', 'model.safetensors');
    const cacheDir = join(work, 'models-cache');
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/memeloom.js', 'models', 'build', pipe, '--cache-dir', cacheDir], { cwd: repoRoot });
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['unet', 'vae-encoder', 'vae-decoder', 'clip-text']);
    expect(lines.every((l) => l.includes('built in'))).toBe(true);
    expect(readdirSync(cacheDir).filter((d) => d !== 'file-hashes.json')).toHaveLength(4);
    const again = await run(process.execPath, ['bin/memeloom.js', 'models', 'build', pipe, '--cache-dir', cacheDir], { cwd: repoRoot });
    expect(again.stdout.split('\n').filter((l) => l.includes('(cached;'))).toHaveLength(4);
  });
});
