// The only importer of onnxruntime-node: creates sessions on an execution provider (CPU, CUDA or WebGPU), probes
// whether a GPU provider really runs here, checks feeds by name, dtype and shape against the graph's IO spec with
// readable errors, runs, and disposes. ORT types stay here.
//
// No IO binding, on purpose. onnxruntime-node already wraps input buffers without a copy, and binding
// pre-allocated outputs (`run(feeds, fetches)`) measured no gain on the CPU EP: tiny VAE decoder to a 512 px
// image, 10 runs each, 232.5 / 227.5 ms plain vs 227.7 / 240.0 ms into a reused buffer. Device-resident
// binding in Node exists only for WebGPU buffers ('gpu-buffer'), not for CUDA, so the one place it would pay
// (the reference features fed to every UNet step) has no Node API on the cuda target.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { MemeError } from '../errors.ts';
import { attr, type Dim, type ElemType, GraphBuilder, type IoSpec } from './onnx/graph-builder.ts';
import { bindInputDims, encodeModelInline, graphOutputNames } from './onnx/model-writer.ts';

/** A tensor in host memory, free of ORT types. */
export interface HostTensor {
  readonly elem: ElemType;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
}

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export type GpuProvider = Exclude<ExecutionProvider, 'cpu'>;
/** 'auto': CUDA where it really runs, else CPU (for fp32 graphs built for the cpu target). */
export type ProviderChoice = 'auto' | ExecutionProvider;

interface SessionOptions {
  readonly provider?: ProviderChoice;
  /** intra-op threads; default: ORT's own (one per physical core) */
  readonly threads?: number;
  /** the graph's declared inputs, for validation before ORT sees the feed (required for webgpu) */
  readonly inputs?: readonly IoSpec[];
  /** ORT's per-node profiling (benchmarks): every run's node times go to `<prefix>_<time>.json`, written by endProfiling */
  readonly profileFilePrefix?: string;
}

export interface GraphSession {
  readonly provider: ExecutionProvider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  /** Ends ORT's profiling (only for a session created with profileFilePrefix) and writes its JSON file. */
  endProfiling(): void;
  dispose(): Promise<void>;
}

const ORT_TYPE: Record<ElemType, ort.Tensor.Type> = { float32: 'float32', float16: 'float16', int64: 'int64', int32: 'int32', bool: 'bool' };

/** Checks feeds against the declared inputs; one error lists every problem by input name. */
function validateFeeds(specs: readonly IoSpec[], feeds: Readonly<Record<string, HostTensor>>): void {
  const problems: string[] = [];
  const symbols = new Map<string, { size: number; where: string }>();
  for (const spec of specs) {
    const feed = feeds[spec.name];
    if (!feed) {
      problems.push(`missing input '${spec.name}' (${spec.elem}[${spec.dims?.join(', ') ?? '…'}])`);
      continue;
    }
    if (feed.elem !== spec.elem) problems.push(`input '${spec.name}' is ${feed.elem}, expected ${spec.elem}`);
    if (!spec.dims) continue;
    if (feed.dims.length !== spec.dims.length) {
      problems.push(`input '${spec.name}' has shape [${feed.dims.join(', ')}], expected rank ${spec.dims.length} [${spec.dims.join(', ')}]`);
      continue;
    }
    spec.dims.forEach((dim: Dim, i) => {
      const size = feed.dims[i];
      if (typeof dim === 'number') {
        if (size !== dim) problems.push(`input '${spec.name}' dim ${i} is ${size}, expected ${dim}`);
        return;
      }
      const seen = symbols.get(dim);
      if (seen && seen.size !== size) problems.push(`input '${spec.name}' dim ${i} (${dim}) is ${size} but ${seen.where} has ${dim}=${seen.size}`);
      else if (!seen) symbols.set(dim, { size, where: `'${spec.name}'` });
    });
  }
  for (const name of Object.keys(feeds)) {
    if (!specs.some((s) => s.name === name)) problems.push(`unexpected input '${name}' (the graph takes ${specs.map((s) => s.name).join(', ')})`);
  }
  if (problems.length) throw new MemeError('BAD_TENSOR', problems.join('; '), { problems });
}

/** The size of every symbolic input dim in `feeds` (feeds already validated, so each name has one size). */
function symbolSizes(specs: readonly IoSpec[], feeds: Readonly<Record<string, HostTensor>>): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const spec of specs) spec.dims?.forEach((dim, i) => {
    if (typeof dim === 'string') sizes[dim] = feeds[spec.name].dims[i];
  });
  return sizes;
}

function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[t.elem], t.data as never, [...t.dims]);
}

function fromOrt(t: ort.Tensor): HostTensor {
  const elem = (Object.entries(ORT_TYPE).find(([, v]) => v === t.type)?.[0] ?? 'float32') as ElemType;
  return { elem, dims: [...t.dims], data: t.data as HostTensor['data'] };
}

/**
 * The EP list and settings per provider. Intra-op threads: ORT's default is one per physical core, which on the
 * 2-core machine here is the same pool as intraOpNumThreads 2 (counted: one worker thread beside the caller either
 * way); a process that runs other work beside its sessions (the bot's render threads) passes a smaller count. On WebGPU (and in probes) no node may fall back to the CPU EP: a graph
 * built for the target runs there whole or the session fails with ORT's message. CUDA keeps ORT's CPU placement of
 * shape subgraphs (its EP's own design; fp32 graphs with dynamic shapes rely on it). WebGPU keeps the NCHW layout
 * our graphs are written in (its NHWC rewrite adds int64 shape gathers it has no kernel for).
 */
function ortOptions(provider: ExecutionProvider, strict: boolean, threads?: number, profileFilePrefix?: string): ort.InferenceSession.SessionOptions {
  const common: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(threads ? { intraOpNumThreads: threads } : {}),
    ...(profileFilePrefix ? { enableProfiling: true, profileFilePrefix } : {}),
  };
  if (provider === 'cpu') return { ...common, executionProviders: ['cpu'] };
  const noFallback = { extra: { session: { disable_cpu_ep_fallback: '1' } } };
  if (provider === 'cuda') return { ...common, executionProviders: ['cuda', 'cpu'], ...(strict ? noFallback : {}) };
  return { ...common, executionProviders: [{ name: 'webgpu', preferredLayout: 'NCHW' }], ...noFallback };
}

async function openOrt(model: Uint8Array | string, provider: ExecutionProvider, threads?: number, strict = false, profileFilePrefix?: string): Promise<ort.InferenceSession> {
  try {
    const options = ortOptions(provider, strict, threads, profileFilePrefix);
    return typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  } catch (error) {
    throw new MemeError('ENGINE_UNAVAILABLE', `cannot create an ONNX Runtime session on ${provider}: ${(error as Error).message}`);
  }
}

function wrap(session: ort.InferenceSession, provider: ExecutionProvider, specs: readonly IoSpec[] | undefined): GraphSession {
  return {
    provider,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      if (specs) validateFeeds(specs, feeds);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(t);
      const result = await session.run(ortFeeds);
      const out: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(result)) out[name] = fromOrt(t as ort.Tensor);
      return out;
    },
    endProfiling: () => session.endProfiling(),
    dispose: () => session.release(),
  };
}

/** Sessions of one graph with different input sizes bound, kept open (each holds the weights on the device). */
const MAX_BOUND_SIZES = 4;

/**
 * WebGPU has no int64 kernels, so the shape arithmetic of a graph with symbolic dims would run on the CPU. The
 * session binds the sizes of each run's feeds into the model (ORT then folds all shape arithmetic) and keeps a
 * session per size set: a HelloMeme job uses two or three chunk lengths.
 */
async function openWebGpu(model: Uint8Array | string, specs: readonly IoSpec[] | undefined, threads?: number): Promise<GraphSession> {
  if (!specs) throw new Error('a webgpu session needs the graph inputs (sizes are bound per run)');
  const bytes = typeof model === 'string' ? readFileSync(model) : model;
  const symbolic = specs.some((s) => s.dims?.some((d) => typeof d === 'string'));
  if (!symbolic) return wrap(await openOrt(model, 'webgpu', threads), 'webgpu', specs);
  const bound = new Map<string, Promise<ort.InferenceSession>>();
  const open = async (sizes: Record<string, number>): Promise<ort.InferenceSession> => {
    const fixed = bindInputDims(bytes, sizes);
    if (typeof model !== 'string') return openOrt(fixed, 'webgpu', threads);
    // External data resolves against the model's folder, so the bound copy sits beside the original.
    const key = createHash('sha256').update(JSON.stringify(sizes)).digest('hex').slice(0, 12);
    const path = join(dirname(model), `${basename(model, '.onnx')}.sizes-${key}.onnx`);
    writeFileSync(path, fixed);
    return openOrt(path, 'webgpu', threads);
  };
  return {
    provider: 'webgpu',
    inputNames: specs.map((s) => s.name),
    outputNames: graphOutputNames(bytes),
    async run(feeds) {
      validateFeeds(specs, feeds);
      const sizes = symbolSizes(specs, feeds);
      const key = JSON.stringify(sizes);
      let pending = bound.get(key);
      if (pending) bound.delete(key);
      else {
        pending = open(sizes);
        pending.catch(() => bound.delete(key));
      }
      bound.set(key, pending); // most recently used last
      if (bound.size > MAX_BOUND_SIZES) {
        const [oldest, evicted] = bound.entries().next().value as [string, Promise<ort.InferenceSession>];
        bound.delete(oldest);
        await (await evicted).release();
      }
      return wrap(await pending, 'webgpu', undefined).run(feeds);
    },
    endProfiling() {},
    async dispose() {
      for (const pending of bound.values()) await (await pending).release();
      bound.clear();
    },
  };
}

/** Creates a session from model bytes or a model path (a path is needed when weights are external data). */
export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<GraphSession> {
  const choice = options.provider ?? 'auto';
  const provider: ExecutionProvider = choice === 'auto' ? ((await probeProvider('cuda')).usable ? 'cuda' : 'cpu') : choice;
  if (provider === 'webgpu') return openWebGpu(model, options.inputs, options.threads);
  return wrap(await openOrt(model, provider, options.threads, false, options.profileFilePrefix), provider, options.inputs);
}

export interface ProviderProbe {
  readonly provider: GpuProvider;
  /** true when a session ran on it (for WebGPU also: its fused attention agrees with the CPU, and it beats the CPU EP) */
  readonly usable: boolean;
  /** why, in words for a log line */
  readonly detail: string;
}

const probes = new Map<GpuProvider, Promise<ProviderProbe>>();

/** x + x on [4]: the smallest graph that proves a session runs on the provider and gives the right answer. */
async function runsCorrectly(provider: GpuProvider): Promise<void> {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [4]);
  g.output(g.op('Add', [x, x]), 'y', 'float32', [4]);
  const session = await openOrt(await encodeModelInline(g), provider, undefined, true);
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [4]) });
    const y = out.y.data as Float32Array;
    if (![2, 4, 6, 8].every((v, i) => y[i] === v)) throw new Error(`x + x gave [${[...y].join(', ')}]`);
  } finally {
    await session.release();
  }
}

/**
 * The fused attention kernel against the CPU EP on one 64-token head: ORT 1.30's WebGPU MultiHeadAttention was seen
 * wrong for query lengths ≥ 32 on Mesa's lavapipe (exact up to 17), so an adapter must prove it before diffusion.
 */
async function attentionMatchesCpu(provider: GpuProvider): Promise<number> {
  const [tokens, width] = [64, 32];
  const g = new GraphBuilder();
  const q = g.input('q', 'float32', [1, tokens, width]);
  const k = g.input('k', 'float32', [1, tokens, width]);
  g.output(g.op('MultiHeadAttention', [q, k, k], { num_heads: attr.int(1), scale: attr.float(1 / Math.sqrt(width)) }, 'com.microsoft'), 'y', 'float32', [1, tokens, width]);
  const model = await encodeModelInline(g);
  // Standard normals (Box–Muller over a fixed LCG): the wrong lavapipe results showed with such data, not with sines.
  const values = (seed: number) => {
    let s = seed;
    const uniform = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s + 1) / 2147483649;
    };
    return Float32Array.from({ length: tokens * width }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
  };
  const feeds = { q: new ort.Tensor('float32', values(1), [1, tokens, width]), k: new ort.Tensor('float32', values(2), [1, tokens, width]) };
  const outputs: Float32Array[] = [];
  for (const ep of [provider, 'cpu'] as const) {
    const session = await openOrt(model, ep, undefined, ep !== 'cpu');
    try {
      outputs.push((await session.run(feeds)).y.data as Float32Array);
    } finally {
      await session.release();
    }
  }
  return outputs[0].reduce((max, v, i) => Math.max(max, Math.abs(v - outputs[1][i])), 0);
}

/** Best of three timed runs (after one warm-up) of a [n,n]·[n,n] product, in ms. */
async function matmulMs(provider: ExecutionProvider, n: number): Promise<number> {
  const g = new GraphBuilder();
  const a = g.input('a', 'float32', [n, n]);
  g.output(g.op('MatMul', [a, a]), 'y', 'float32', [n, n]);
  const session = await openOrt(await encodeModelInline(g), provider);
  try {
    const feed = { a: new ort.Tensor('float32', new Float32Array(n * n).fill(1 / n), [n, n]) };
    await session.run(feed);
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await session.run(feed);
      best = Math.min(best, performance.now() - t);
    }
    return best;
  } finally {
    await session.release();
  }
}

/**
 * A WebGPU adapter can be software (Mesa's lavapipe, SwiftShader): it runs, but diffusion on it takes longer than
 * on the CPU EP. It counts as a GPU only when it beats the CPU EP on the same product (lavapipe: 3 vs 116 GFLOP/s
 * on two cores; any discrete or integrated GPU: far more than the CPU).
 */
const PROBE_MATMUL = 1024;

/** onnxruntime-node lists CUDA everywhere but downloads its provider library only when asked to at install. */
function cudaLibraryInstalled(): boolean {
  const binding = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(binding, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
}

async function probe(provider: GpuProvider): Promise<ProviderProbe> {
  if (!ort.listSupportedBackends().some((b) => b.name === provider)) {
    return { provider, usable: false, detail: `this onnxruntime-node build has no ${provider} provider` };
  }
  if (provider === 'cuda' && !cudaLibraryInstalled()) {
    return { provider, usable: false, detail: 'onnxruntime-node was installed without its CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)' };
  }
  try {
    await runsCorrectly(provider);
  } catch (error) {
    return { provider, usable: false, detail: `a session on ${provider} does not run here: ${(error as Error).message.split('\n')[0]}` };
  }
  if (provider === 'cuda') return { provider, usable: true, detail: 'a session ran on CUDA' };
  const attentionError = await attentionMatchesCpu(provider);
  if (!(attentionError < 1e-3)) return { provider, usable: false, detail: `the WebGPU adapter's fused attention is off by ${attentionError.toExponential(1)} from the CPU's` };
  const gpu = await matmulMs('webgpu', PROBE_MATMUL);
  const cpu = await matmulMs('cpu', PROBE_MATMUL);
  const rate = (ms: number) => `${((2 * PROBE_MATMUL ** 3) / ms / 1e6).toFixed(0)} GFLOP/s`;
  const figures = `WebGPU ${rate(gpu)}, CPU ${rate(cpu)} on a ${PROBE_MATMUL}² matrix product`;
  if (gpu >= cpu) return { provider, usable: false, detail: `the WebGPU adapter is slower than the CPU (${figures}): a software adapter` };
  return { provider, usable: true, detail: `a session ran on WebGPU (${figures})` };
}

/** Whether `provider` really runs on this machine; memoised for the process (the answer cannot change while it runs). */
export function probeProvider(provider: GpuProvider): Promise<ProviderProbe> {
  let pending = probes.get(provider);
  if (!pending) {
    pending = probe(provider);
    probes.set(provider, pending);
  }
  return pending;
}
