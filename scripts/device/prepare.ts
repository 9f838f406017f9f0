// Prepares what the one GPU device call carries, in .gpu-check/ (git-excluded; README.md says how to call it):
//   models/full/<graph>/  the webgpu-target graphs at full SD1.5 + HelloMeme sizes, sizes bound to the timed shapes,
//                         small constants inline, weights external but NOT written: weights.json lists each tensor
//                         (offset, length, dtype, shape) and the device fills model.onnx.data with random values
//   models/tiny/<case>/   the tiny-golden graphs for webgpu with their feeds and expected outputs (numerics on a GPU)
//   plan.json             shapes, feeds, and the 4 s @ 8 fps plan (denoiser chunk lengths, reference passes)
//   runtime/              libonnxruntime.so.1.xz (onnxruntime-node's own), ORT's C API headers, ort-runner
//   python/               diffusers 0.33.1 and HelloMeme's model sources, as .tar.xz (never committed)
// Also the check that the webgpu target builds at full size. Memory stays small: weights are zeros streamed per tensor.
//   npx tsx scripts/device/prepare.ts --headers DIR --diffusers GIT_DIR --hellomeme GIT_DIR [--scale full|tiny] [--out DIR]
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import { buildHm5Graph } from '../../src/graph/models/hellomeme/build-graph.ts';
import { bindHm5Modules, type Hm5Folder, type Hm5Part, unetLevelChannels } from '../../src/graph/models/hellomeme/load-modules.ts';
import { HM5ReferenceAdapter } from '../../src/graph/models/hellomeme/hooked-unet.ts';
import { HM5MotionAdapter } from '../../src/graph/models/hellomeme/motion-module.ts';
import { buildSd15Graph, sd15Module } from '../../src/graph/models/sd15/build-graph.ts';
import { SD15_UNET_CONFIG, SD15_VAE_CONFIG } from '../../src/graph/models/sd15/default-configs.ts';
import { UNet2DConditionModel } from '../../src/graph/models/sd15/unet.ts';
import { parseUnetConfig } from '../../src/graph/models/sd15/unet-config.ts';
import type { Module } from '../../src/graph/nn/module.ts';
import type { GraphBuilder, IoSpec } from '../../src/graph/onnx/graph-builder.ts';
import { bindInputDims, encodeModelInline, writeModelExternal } from '../../src/graph/onnx/model-writer.ts';
import type { HostTensor } from '../../src/graph/runtime.ts';
import { WeightStore } from '../../src/graph/weights/weight-store.ts';
import { keyframeReferencePasses, planTemporalLevels } from '../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { tinyCases } from '../../test/graph/webgpu-tiny-cases.ts';

const proto = onnxProto.onnx;
const { values: flags } = parseArgs({ options: { headers: { type: 'string' }, diffusers: { type: 'string' }, hellomeme: { type: 'string' }, scale: { type: 'string', default: 'full' }, out: { type: 'string', default: '.gpu-check' }, 'skip-sources': { type: 'boolean' } } });
const OUT = resolve(flags.out as string);
const SCALE = flags.scale === 'tiny' ? 'tiny' : 'full';

/** The timed shapes: one 12-frame window with CFG at 512² (latent 64²), 77 tokens; tiny: the same structure, small. */
const SHAPES = SCALE === 'full' ? { latent: 64, frames: 12, tokens: 77, decodeFrames: 12 } : { latent: 16, frames: 4, tokens: 7, decodeFrames: 2 };
/** A 4 s meme at 8 fps, 25 steps (the HelloMeme defaults the extrapolation reports). */
const MEME = { seconds: 4, fps: 8, steps: 25 };

const unetConfig = SCALE === 'full' ? SD15_UNET_CONFIG : { ...SD15_UNET_CONFIG, block_out_channels: [32, 32, 32, 32], layers_per_block: 1, norm_num_groups: 8, cross_attention_dim: 32 };
const vaeConfig = SCALE === 'full' ? SD15_VAE_CONFIG : { ...SD15_VAE_CONFIG, block_out_channels: [8, 16, 32, 32], layers_per_block: 1, norm_num_groups: 4 };

/** A store whose tensors read as zeros: the graph's structure and external-data layout without real weights. */
function zeroStore(module: Module): WeightStore {
  const entries = new Map([...module.namedParams()].map(([name, slot]) => [name, { shape: slot.shape, dtype: 'F32' as const, read: async () => new Float32Array(slot.shape.reduce((a, b) => a * b, 1)) }]));
  return new WeightStore(entries);
}

function part(config: Record<string, unknown>, module: Module): Hm5Part {
  return { config, store: zeroStore(module) };
}

/** Sizes for every symbolic input dim at the timed shapes (level maps follow the UNet's ×2 steps). */
function boundSizes(inputs: readonly IoSpec[], batch: number): Record<string, number> {
  const L = SHAPES.latent;
  const side: Record<string, number> = { down0: L / 2, down1: L / 4, down2: L / 8, down3: L / 8, up0: L / 8, up1: L / 4, up2: L / 2, up3: L };
  const named: Record<string, number> = { batch, frames: SHAPES.frames, height: L, width: L, latent_height: L, latent_width: L, tokens: SHAPES.tokens, timestep_batch: 1, pad_frames: 2 };
  const sizes: Record<string, number> = {};
  for (const io of inputs) {
    for (const d of io.dims ?? []) {
      if (typeof d !== 'string') continue;
      const level = /^((?:down|up)\d)_[hw]$/.exec(d);
      const size = level ? side[level[1]] : named[d];
      if (size === undefined) throw new Error(`no timed size for input dim '${d}' of ${io.name}`);
      sizes[d] = size;
    }
  }
  return sizes;
}

interface ExternalTensor {
  name: string;
  offset: number;
  length: number;
  dtype: 'float16' | 'float32';
  shape: number[];
}

/**
 * Writes `g` with zero weights, then rewrites the model: sizes bound, small host constants back inline, weights left
 * external with their layout in weights.json, and the zero .data file removed (the device writes random values there).
 */
async function writeFull(name: string, g: GraphBuilder, batch: number): Promise<Record<string, unknown>> {
  const dir = join(OUT, 'models', 'full', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t = performance.now();
  const written = await writeModelExternal(g, join(dir, 'model.onnx'));
  const sizes = boundSizes(g.inputs, batch);
  const model = proto.ModelProto.decode(bindInputDims(readFileSync(written.modelPath), sizes));
  // The .data file is gigabytes of zeros: read back only the small host constants it holds.
  const data = written.dataPath ? openSync(written.dataPath, 'r') : null;
  const readRange = (offset: number, length: number) => {
    const bytes = Buffer.alloc(length);
    if (data !== null) readSync(data, bytes, 0, length, offset);
    return bytes;
  };
  const weights: ExternalTensor[] = [];
  for (const init of model.graph?.initializer ?? []) {
    if (init.dataLocation !== proto.TensorProto.DataLocation.EXTERNAL) continue;
    const field = (key: string) => init.externalData?.find((e) => e.key === key)?.value ?? '';
    const offset = Number(field('offset'));
    const length = Number(field('length'));
    if (g.initializers.get(init.name ?? '')?.kind === 'host') {
      init.rawData = readRange(offset, length);
      init.externalData = [];
      init.dataLocation = proto.TensorProto.DataLocation.DEFAULT;
      continue;
    }
    weights.push({ name: init.name ?? '', offset, length, dtype: init.dataType === 10 ? 'float16' : 'float32', shape: (init.dims ?? []).map(Number) });
  }
  if (data !== null) closeSync(data);
  if (written.dataPath) rmSync(written.dataPath);
  writeFileSync(join(dir, 'model.onnx'), proto.ModelProto.encode(model).finish());
  const dataBytes = weights.reduce((end, w) => Math.max(end, w.offset + w.length), 0);
  writeFileSync(join(dir, 'weights.json'), JSON.stringify({ location: 'model.onnx.data', bytes: dataBytes, tensors: weights }));
  const inputs = g.inputs.map((io) => ({ name: io.name, elem: io.elem, dims: (io.dims ?? []).map((d) => (typeof d === 'number' ? d : sizes[d])) }));
  console.log(`${name}: ${g.nodes.length} nodes, ${g.floatType}, ${weights.length} weight tensors (${(dataBytes / 2 ** 30).toFixed(2)} GiB to make on the device), model ${(statSync(join(dir, 'model.onnx')).size / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { floatType: g.floatType, inputs, outputs: g.outputs.map((o) => o.name), nodes: g.nodes.length, weightBytes: dataBytes };
}

async function fullGraphs(): Promise<Record<string, unknown>> {
  const unet = new UNet2DConditionModel(parseUnetConfig(unetConfig));
  const levels = unetLevelChannels(unet);
  const adapterConfig = { block_down_channels: levels.down, block_up_channels: levels.up, num_attention_heads: 8 };
  const parts: Partial<Record<Hm5Folder, Hm5Part>> = {
    unet_base: part(unetConfig, unet),
    hm5_reference: part(adapterConfig, new HM5ReferenceAdapter(levels.up, 8)),
    hm5_motion: part(adapterConfig, new HM5MotionAdapter(levels.down, levels.up, 8)),
  };
  const graphs: Record<string, unknown> = {};
  // One denoiser call on a 12-frame window with CFG, the reference pass on [zeros, photo latent], one decode of 12 frames.
  graphs['hm5-denoise'] = await writeFull('hm5-denoise', buildHm5Graph('hm5-denoise', bindHm5Modules('hm5-denoise', parts), { target: 'webgpu' }), 2);
  graphs['hm5-reference'] = await writeFull('hm5-reference', buildHm5Graph('hm5-reference', bindHm5Modules('hm5-reference', parts), { target: 'webgpu' }), 2);
  const vae = sd15Module('vae-decoder', vaeConfig);
  graphs['vae-decoder'] = await writeFull('vae-decoder', buildSd15Graph('vae-decoder', vaeConfig, zeroStore(vae), { target: 'webgpu', floatType: 'float16' }), SHAPES.decodeFrames);
  return graphs;
}

function writeTensor(path: string, t: HostTensor): string {
  const data = t.data;
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t.elem === 'int64' ? 'i64' : t.elem === 'float16' ? 'f16' : 'f32';
}

/**
 * The tiny cases the device checks (the CPU-side test covers every case): each kind of graph once, within the
 * carry's 64 MiB; the encoders, the control net and the pad variant stay here.
 */
const DEVICE_TINY_CASES = new Set(['unet', 'vae-decoder-float32', 'vae-decoder-float16', 'clip-text', 'hm5-reference', 'hm5-denoise', 'esrgan-x2']);

/** Tiny-golden graphs for webgpu, sizes bound to their feeds, with raw feeds and expected outputs. */
async function tinyGraphs(): Promise<string[]> {
  const names: string[] = [];
  for await (const c of tinyCases()) {
    try {
      if (!DEVICE_TINY_CASES.has(c.name)) continue;
      const dir = join(OUT, 'models', 'tiny', c.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'feeds'), { recursive: true });
      mkdirSync(join(dir, 'expected'), { recursive: true });
      const sizes: Record<string, number> = {};
      for (const io of c.graph.inputs) {
        io.dims?.forEach((d, i) => {
          if (typeof d === 'string') sizes[d] = c.feeds[io.name].dims[i];
        });
      }
      writeFileSync(join(dir, 'model.onnx'), bindInputDims(await encodeModelInline(c.graph), sizes));
      const lines = Object.entries(c.feeds).map(([name, t]) => `${name} ${writeTensor(join(dir, 'feeds', `${name}.bin`), t)} ${t.dims.join(',')} feeds/${name}.bin`);
      writeFileSync(join(dir, 'feeds.txt'), `${lines.join('\n')}\n`);
      const expected: Record<string, number[]> = {};
      for (const [name, t] of Object.entries(c.expected)) {
        writeTensor(join(dir, 'expected', `${name}.bin`), t);
        expected[name] = [...t.dims];
      }
      writeFileSync(join(dir, 'expected.json'), JSON.stringify({ floatType: c.graph.floatType, outputs: expected }));
      names.push(c.name);
    } finally {
      await c.close();
    }
  }
  console.log(`tiny golden graphs: ${names.join(', ')}`);
  return names;
}

/** What one 4 s meme asks of each model: every denoiser call's chunk length (all steps), reference passes, decodes. */
function memePlan() {
  const frames = MEME.seconds * MEME.fps;
  const levels = planTemporalLevels(frames);
  const chunkFrames = levels.flatMap((level) => level.chunks.map((c) => c.length));
  return { ...MEME, frames, steps: MEME.steps, denoiserCallsPerStep: chunkFrames.length, chunkFrames, referencePasses: 1 + keyframeReferencePasses(frames), decodedFrames: frames };
}

function sh(cmd: string, args: string[], options: { cwd?: string; input?: Buffer } = {}): Buffer {
  return execFileSync(cmd, args, { cwd: options.cwd, input: options.input, maxBuffer: 1 << 30 });
}

function runtime(): void {
  const dir = join(OUT, 'runtime');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'include'), { recursive: true });
  const lib = resolve('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1');
  copyFileSync(lib, join(dir, 'libonnxruntime.so.1'));
  const headers = resolve(flags.headers ?? '');
  for (const h of ['onnxruntime_c_api.h', 'onnxruntime_ep_c_api.h', 'onnxruntime_error_code.h']) copyFileSync(join(headers, h), join(dir, 'include', h));
  sh('cc', ['-O2', '-Wall', '-o', join(dir, 'ort-runner'), resolve('scripts/device/ort-runner.c'), `-I${join(dir, 'include')}`, `-L${dir}`, '-l:libonnxruntime.so.1', '-Wl,-rpath,$ORIGIN', '-lm']);
  sh('xz', ['-9', '-T2', '-f', join(dir, 'libonnxruntime.so.1')]);
  console.log(`runtime: onnxruntime ${JSON.parse(readFileSync('node_modules/onnxruntime-node/package.json', 'utf8')).version}, ort-runner built, library ${(statSync(join(dir, 'libonnxruntime.so.1.xz')).size / 2 ** 20).toFixed(1)} MiB packed`);
}

function sources(): void {
  const dir = join(OUT, 'python');
  mkdirSync(dir, { recursive: true });
  // File by file (git show), so a snapshot whose large binaries are missing still gives its sources.
  const pack = (gitDir: string, ref: string, paths: string[], name: string) => {
    const git = (...args: string[]) => sh('git', [`--git-dir=${resolve(gitDir)}`, ...args]);
    const stage = join(OUT, 'python', `.${name}`);
    rmSync(stage, { recursive: true, force: true });
    const files = git('ls-tree', '-r', '--name-only', ref, ...paths).toString().split('\n').filter(Boolean);
    for (const file of files) {
      mkdirSync(dirname(join(stage, file)), { recursive: true });
      writeFileSync(join(stage, file), git('show', `${ref}:${file}`));
    }
    writeFileSync(join(dir, name), sh('xz', ['-9', '-c'], { input: sh('tar', ['-c', '-C', stage, '.']) }));
    rmSync(stage, { recursive: true, force: true });
    console.log(`${name}: ${files.length} files, ${(statSync(join(dir, name)).size / 2 ** 20).toFixed(1)} MiB`);
  };
  pack(flags.diffusers as string, 'v0.33.1', ['src/diffusers', 'LICENSE'], 'diffusers-0.33.1.tar.xz');
  pack(flags.hellomeme as string, 'HEAD', ['hellomeme/models', 'LICENSE'], 'hellomeme-models.tar.xz');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t = performance.now();
  const graphs = await fullGraphs();
  const tiny = await tinyGraphs();
  writeFileSync(join(OUT, 'plan.json'), JSON.stringify({ scale: SCALE, shapes: SHAPES, unet: unetConfig, vae: vaeConfig, graphs, tiny, meme: memePlan() }, null, 1));
  // One archive: the graph structures compress about tenfold (gpu-check.sh unpacks it).
  writeFileSync(join(OUT, 'models.tar.xz'), sh('xz', ['-9', '-T2', '-c'], { input: sh('tar', ['-c', '-C', OUT, 'models']) }));
  rmSync(join(OUT, 'models'), { recursive: true });
  console.log(`models.tar.xz: ${(statSync(join(OUT, 'models.tar.xz')).size / 2 ** 20).toFixed(1)} MiB`);
  if (flags.headers) runtime();
  else console.log('runtime: skipped (give --headers DIR with onnxruntime_c_api.h and its two companions)');
  if (!flags['skip-sources'] && flags.diffusers && flags.hellomeme) sources();
  else console.log('python sources: skipped (give --diffusers and --hellomeme git dirs)');
  console.log(`prepared ${OUT} in ${((performance.now() - t) / 1000).toFixed(1)} s (${SCALE} scale)`);
}

await main();
