// The engine's ONNX sessions, compiled once into the graph cache and opened on first use: CLIP text, VAE
// encoder/decoder, reference UNet, control net, and the denoiser with and without keyframe pads. Kept open across
// jobs, or per stage where memory is short (full-size fp32 on CPU). No sampling here.
import { type CompiledGraph, cachedFileHash, compileCached, defaultCacheDir, graphCacheKey } from '../../../graph/graph-cache.ts';
import { buildHm5Graph, hm5FloatType } from '../../../graph/models/hellomeme/build-graph.ts';
import { bindHm5Modules, type Hm5Folder, type Hm5Model, type Hm5Part } from '../../../graph/models/hellomeme/load-modules.ts';
import { ClipTokenizer } from '../../../graph/models/sd15/clip-tokenizer.ts';
import { compileSd15Model } from '../../../graph/models/sd15/compile-model.ts';
import type { Target } from '../../../graph/onnx/graph-builder.ts';
import { createSession, type ExecutionProvider, type GraphSession, type ProviderChoice } from '../../../graph/runtime.ts';
import { openComponent, readJsonFile, resolveComponent } from '../../../graph/weights/model-folder.ts';
import type { WeightStore } from '../../../graph/weights/weight-store.ts';
import { chooseDevice } from '../auto-engine.ts';
import type { HelloMemeModelPaths } from './model-paths.ts';

export interface SessionSetOptions {
  /** Compiled-graph cache (default ~/.cache/memeloom/graphs or MEMELOOM_GRAPH_CACHE). */
  readonly cacheDir?: string;
  readonly provider?: ProviderChoice;
  /** Intra-op threads per session; default lets ORT decide. */
  readonly threads?: number;
  /**
   * 'all' keeps every session open across jobs (the default on CUDA); 'stage' (the default on CPU) holds only
   * what the running stage needs (release() closes the rest), because full-size fp32 on CPU does not fit at once:
   * the two denoiser variants alone hold 2 × 5.5 GB of weights.
   */
  readonly residency?: 'all' | 'stage';
}

export const SESSION_NAMES = ['clip-text', 'vae-encoder', 'vae-decoder', 'hm5-reference', 'hm5-control', 'hm5-denoise', 'hm5-denoise-pad'] as const;
export type SessionName = (typeof SESSION_NAMES)[number];

export interface HelloMemeSessions {
  readonly provider: ExecutionProvider;
  readonly residency: 'all' | 'stage';
  readonly tokenizer: ClipTokenizer;
  /** The encoding VAE's latent scaling (0.18215 for SD1.5) and the decoding VAE's. */
  readonly encodeScaling: number;
  readonly decodeScaling: number;
  /** The open session (opened on first use, then kept; the denoiser variants replace each other in 'stage' mode). */
  session(name: SessionName): Promise<GraphSession>;
  /** In 'stage' residency, closes these sessions (a no-op in 'all'); they reopen from the graph cache when needed. */
  release(...names: SessionName[]): Promise<void>;
  /** Milliseconds spent compiling or loading from cache, and creating each session (for the bench). */
  readonly openMs: Readonly<Record<string, number>>;
  dispose(): Promise<void>;
}

interface Built {
  target: Target;
  cacheDir: string;
}

async function openParts(folders: Partial<Record<Hm5Folder, string>>): Promise<{ parts: Partial<Record<Hm5Folder, Hm5Part>>; files: string[]; stores: WeightStore[] }> {
  const parts: Partial<Record<Hm5Folder, Hm5Part>> = {};
  const files: string[] = [];
  const stores: WeightStore[] = [];
  try {
    for (const [name, folder] of Object.entries(folders) as [Hm5Folder, string][]) {
      const component = resolveComponent(folder, null);
      const store = await openComponent(component);
      stores.push(store);
      files.push(...component.weights);
      parts[name] = { store, config: component.config ? readJsonFile(component.config) : {} };
    }
  } catch (error) {
    await Promise.all(stores.map((s) => s.close()));
    throw error;
  }
  return { parts, files, stores };
}

/** Compiles one hm5 graph into the cache (keyed by the weight hashes, configs, target, dtype and pad variant). */
async function compileHm5(model: Hm5Model, folders: Partial<Record<Hm5Folder, string>>, built: Built, withPad = false): Promise<CompiledGraph> {
  const { parts, files, stores } = await openParts(folders);
  try {
    const hashes = await Promise.all(files.map((f) => cachedFileHash(built.cacheDir, f)));
    const configs = Object.fromEntries(Object.entries(parts).map(([k, p]) => [k, p?.config ?? {}]));
    const name = withPad ? `${model}-pad` : model;
    const floatType = hm5FloatType(model, built.target);
    const key = graphCacheKey({ model: name, target: built.target, floatType, config: configs, weightHashes: hashes });
    return await compileCached(built.cacheDir, name, key, () => buildHm5Graph(model, bindHm5Modules(model, parts), { target: built.target, floatType, withPad }));
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

function vaeScaling(folder: string): number {
  const component = resolveComponent(folder, null);
  const config = component.config ? readJsonFile(component.config) : {};
  return typeof config.scaling_factor === 'number' ? config.scaling_factor : 0.18215;
}

/**
 * Compiles every graph into the cache now (cheap when cached) and returns the session set; sessions open on
 * first use. Each provider runs the graphs built for its target (the provider's name is the target's): fp16 on a
 * GPU provider that works (auto: CUDA, then WebGPU), else CPU fp32.
 */
export async function openHelloMemeSessions(paths: HelloMemeModelPaths, options: SessionSetOptions = {}): Promise<HelloMemeSessions> {
  const provider: ExecutionProvider = !options.provider || options.provider === 'auto' ? (await chooseDevice('auto')).device : options.provider;
  const target: Target = provider;
  const built: Built = { target, cacheDir: options.cacheDir ?? defaultCacheDir() };
  const residency = options.residency ?? (provider === 'cpu' ? 'stage' : 'all');
  const sd15 = { cacheDir: built.cacheDir, target };
  const denoiseFolders = { unet_base: paths.denoiseUnet, hm5_reference: paths.referenceAdapter, hm5_motion: paths.motionAdapter };
  const compilers: Record<SessionName, () => Promise<CompiledGraph>> = {
    'clip-text': () => compileSd15Model('clip-text', paths.textEncoder, null, sd15),
    'vae-encoder': () => compileSd15Model('vae-encoder', paths.vaeEncoder, null, sd15),
    'vae-decoder': () => compileSd15Model('vae-decoder', paths.vaeDecoder, null, sd15),
    'hm5-reference': () => compileHm5('hm5-reference', { unet_base: paths.referenceUnet }, built),
    'hm5-control': () => compileHm5('hm5-control', { hm5_control_base: paths.controlBase, hm5_control_proj: paths.controlProj }, built),
    'hm5-denoise': () => compileHm5('hm5-denoise', denoiseFolders, built),
    'hm5-denoise-pad': () => compileHm5('hm5-denoise', denoiseFolders, built, true),
  };
  const openMs: Record<string, number> = {};
  const compiled = new Map<SessionName, CompiledGraph>();
  for (const name of SESSION_NAMES) {
    const t = performance.now();
    compiled.set(name, await compilers[name]());
    openMs[`compile ${name}`] = performance.now() - t;
  }
  const open = new Map<SessionName, Promise<GraphSession>>();
  const release = async (...names: SessionName[]) => {
    for (const name of names) {
      const session = open.get(name);
      open.delete(name);
      if (session) await (await session).dispose();
    }
  };
  const session = async (name: SessionName): Promise<GraphSession> => {
    if (residency === 'stage' && name.startsWith('hm5-denoise')) await release(name === 'hm5-denoise' ? 'hm5-denoise-pad' : 'hm5-denoise');
    let pending = open.get(name);
    if (!pending) {
      const graph = compiled.get(name) as CompiledGraph;
      const t = performance.now();
      pending = createSession(graph.modelPath, { provider, inputs: graph.inputs, threads: options.threads }).then((created) => {
        openMs[name] = performance.now() - t;
        return created;
      });
      open.set(name, pending);
      pending.catch(() => open.delete(name));
    }
    return pending;
  };
  return {
    provider,
    residency,
    tokenizer: ClipTokenizer.fromFolder(paths.tokenizer),
    encodeScaling: vaeScaling(paths.vaeEncoder),
    decodeScaling: vaeScaling(paths.vaeDecoder),
    session,
    release: (...names) => (residency === 'stage' ? release(...names) : Promise.resolve()),
    openMs,
    async dispose() {
      await release(...open.keys());
    },
  };
}
