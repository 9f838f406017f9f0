// The engine's ONNX sessions, compiled once into the graph cache and opened on first use: CLIP text, VAE
// encoder/decoder, reference UNet, control net, the denoiser with and without keyframe pads (a LoRA style, when set,
// merged into the denoiser and a second text encoder), and the PD-FGC expression encoder. Kept open across jobs, or
// per stage where memory is short (full-size fp32 on CPU).
import { compileGraph, type GraphRecipe } from '../../../graph/compile-graph.ts';
import type { CompiledGraph } from '../../../graph/graph-cache.ts';
import { buildHm5Graph, buildPdFgcGraph, hm5FloatType } from '../../../graph/models/hellomeme/build-graph.ts';
import { bindHm5Modules, type Hm5Folder, type Hm5Model, type Hm5Part, loadPdFgcEncoder } from '../../../graph/models/hellomeme/load-modules.ts';
import { ClipTokenizer } from '../../../graph/models/sd15/clip-tokenizer.ts';
import { compileSd15Model } from '../../../graph/models/sd15/compile-model.ts';
import type { Target } from '../../../graph/onnx/graph-builder.ts';
import { createSession, type ExecutionProvider, type GraphSession, type ProviderChoice } from '../../../graph/runtime.ts';
import { MemeError } from '../../../errors.ts';
import { openComponent, readJsonFile, resolveComponent } from '../../../graph/weights/model-folder.ts';
import type { WeightStore } from '../../../graph/weights/weight-store.ts';
import { chooseDevice } from '../auto-engine.ts';
import { EXPRESSION_DIM } from './control-signals.ts';
import type { HelloMemeModelPaths } from './model-paths.ts';
import { type StyleWeights, styledUnetPart, textEncoderLora, unetLora } from './style-weights.ts';

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
  /** A LoRA style merged into the denoiser and the main text encoder ('clip-text-style'); none: all base. */
  readonly style?: StyleWeights;
}

/** 'clip-text' is the base text encoder (the reference's prompt); 'clip-text-style' exists only with a style. */
export const SESSION_NAMES = ['clip-text', 'clip-text-style', 'vae-encoder', 'vae-decoder', 'hm5-reference', 'hm5-control', 'hm5-denoise', 'hm5-denoise-pad', 'pd-fgc'] as const;
export type SessionName = (typeof SESSION_NAMES)[number];

export interface HelloMemeSessions {
  readonly provider: ExecutionProvider;
  readonly residency: 'all' | 'stage';
  /** The style merged into this set's denoiser and 'clip-text-style', or null. */
  readonly style: string | null;
  readonly tokenizer: ClipTokenizer;
  /** The encoding VAE's latent scaling (0.18215 for SD1.5) and the decoding VAE's. */
  readonly encodeScaling: number;
  readonly decodeScaling: number;
  /** Each model's compiled graph (PD-FGC only where the paths name its folder). */
  readonly graphs: ReadonlyMap<SessionName, CompiledGraph>;
  /** Whether the set has this model. */
  has(name: SessionName): boolean;
  /** The open session (opened on first use, then kept; the denoiser variants replace each other in 'stage' mode). */
  session(name: SessionName): Promise<GraphSession>;
  /** In 'stage' residency, closes these sessions (a no-op in 'all'); they reopen from the graph cache when needed. */
  release(...names: SessionName[]): Promise<void>;
  /** Milliseconds spent compiling or loading from cache, and creating each session (for the bench). */
  readonly openMs: Readonly<Record<string, number>>;
  dispose(): Promise<void>;
}

async function openParts(folders: Partial<Record<Hm5Folder, string>>): Promise<{ parts: Partial<Record<Hm5Folder, Hm5Part>>; stores: WeightStore[] }> {
  const parts: Partial<Record<Hm5Folder, Hm5Part>> = {};
  const stores: WeightStore[] = [];
  try {
    for (const [name, folder] of Object.entries(folders) as [Hm5Folder, string][]) {
      const component = resolveComponent(folder, null);
      const store = await openComponent(component);
      stores.push(store);
      parts[name] = { store, config: component.config ? readJsonFile(component.config) : {} };
    }
  } catch (error) {
    await Promise.all(stores.map((s) => s.close()));
    throw error;
  }
  return { parts, stores };
}

/** One hm5 graph (keyed by every bound module's config and weights, the target, dtype, pad variant and style). */
function hm5Recipe(model: Hm5Model, folders: Partial<Record<Hm5Folder, string>>, target: Target, withPad = false, style?: StyleWeights): GraphRecipe {
  const components = Object.entries(folders).map(([name, folder]) => [name, resolveComponent(folder as string, null)] as const);
  const floatType = hm5FloatType(model, target);
  return {
    name: withPad ? `${model}-pad` : model,
    target,
    floatType,
    config: Object.fromEntries(components.map(([name, c]) => [name, c.config ? readJsonFile(c.config) : {}])),
    weightFiles: components.flatMap(([, c]) => c.weights),
    // The style is merged into unet_base only (the denoiser); the LoRA's file and scale are part of the key.
    loras: style && folders.unet_base ? [unetLora(style)] : [],
    async open() {
      const { parts, stores } = await openParts(folders);
      const closers = stores.map((s) => () => s.close());
      const close = async () => void (await Promise.all(closers.map((c) => c())));
      try {
        if (style && parts.unet_base) {
          const styled = await styledUnetPart(parts.unet_base, style);
          closers.push(styled.close);
          parts.unet_base = styled.part;
        }
        return { graph: buildHm5Graph(model, bindHm5Modules(model, parts), { target, floatType, withPad }), close };
      } catch (error) {
        await close();
        throw error;
      }
    },
  };
}

/** PD-FGC, fp32 for every provider: it is small and runs once per frame, so fp16 would save nothing worth its drift. */
function pdFgcRecipe(folder: string): GraphRecipe {
  const component = resolveComponent(folder, null);
  return {
    name: 'pd-fgc',
    target: 'cpu',
    floatType: 'float32',
    config: component.config ? readJsonFile(component.config) : {},
    weightFiles: component.weights,
    async open() {
      const loaded = await loadPdFgcEncoder(folder);
      return { graph: buildPdFgcGraph(loaded.encoder, { target: 'cpu', floatType: 'float32' }), close: loaded.close };
    },
  };
}

/** The control net embeds exactly 548 values a frame; an encoder with other eye/pose sizes cannot feed it. */
function checkPdFgcWidth(graph: CompiledGraph, folder: string): void {
  const width = graph.outputs.find((o) => o.name === 'pd_fpg')?.dims?.[1];
  if (width !== EXPRESSION_DIM) throw new MemeError('BAD_WEIGHTS', `PD-FGC encoder in ${folder} gives ${String(width)} values per face; the control net takes ${EXPRESSION_DIM}`);
}

interface CompileHelloMemeOptions {
  readonly target: Target;
  /** A LoRA style: adds 'clip-text-style' and merges it into both denoiser variants. */
  readonly style?: StyleWeights;
  /** Compiled-graph cache (default ~/.cache/memeloom/graphs or MEMELOOM_GRAPH_CACHE). */
  readonly cacheDir?: string;
  /** Hears each graph as it is compiled or found in the cache, with the milliseconds it took. */
  readonly onGraph?: (name: SessionName, graph: CompiledGraph, ms: number) => void;
}

/**
 * Compiles every graph of the engine for `target` into the cache now (cheap when cached): what the first job would
 * otherwise do, and what `memeloom models build --preset` runs. PD-FGC only where the paths name its folder.
 */
export async function compileHelloMemeGraphs(paths: HelloMemeModelPaths, options: CompileHelloMemeOptions): Promise<Map<SessionName, CompiledGraph>> {
  const { target, cacheDir, style } = options;
  const sd15 = { cacheDir, target };
  const denoiseFolders = { unet_base: paths.denoiseUnet, hm5_reference: paths.referenceAdapter, hm5_motion: paths.motionAdapter };
  const hm5 = (recipe: GraphRecipe) => () => compileGraph(recipe, { cacheDir });
  const compilers: Partial<Record<SessionName, () => Promise<CompiledGraph>>> = {
    'clip-text': () => compileSd15Model('clip-text', paths.textEncoder, null, sd15),
    ...(style ? { 'clip-text-style': () => compileSd15Model('clip-text', paths.textEncoder, null, { ...sd15, loras: [textEncoderLora(style)] }) } : {}),
    'vae-encoder': () => compileSd15Model('vae-encoder', paths.vaeEncoder, null, sd15),
    'vae-decoder': () => compileSd15Model('vae-decoder', paths.vaeDecoder, null, sd15),
    'hm5-reference': hm5(hm5Recipe('hm5-reference', { unet_base: paths.referenceUnet }, target)),
    'hm5-control': hm5(hm5Recipe('hm5-control', { hm5_control_base: paths.controlBase, hm5_control_proj: paths.controlProj }, target)),
    'hm5-denoise': hm5(hm5Recipe('hm5-denoise', denoiseFolders, target, false, style)),
    'hm5-denoise-pad': hm5(hm5Recipe('hm5-denoise', denoiseFolders, target, true, style)),
  };
  if (paths.pdFgc) {
    const folder = paths.pdFgc;
    compilers['pd-fgc'] = async () => {
      const graph = await compileGraph(pdFgcRecipe(folder), { cacheDir });
      checkPdFgcWidth(graph, folder);
      return graph;
    };
  }
  const compiled = new Map<SessionName, CompiledGraph>();
  for (const name of SESSION_NAMES) {
    const compile = compilers[name];
    if (!compile) continue;
    const t = performance.now();
    const graph = await compile();
    compiled.set(name, graph);
    options.onGraph?.(name, graph, performance.now() - t);
  }
  return compiled;
}

function vaeScaling(folder: string): number {
  const component = resolveComponent(folder, null);
  const config = component.config ? readJsonFile(component.config) : {};
  return typeof config.scaling_factor === 'number' ? config.scaling_factor : 0.18215;
}

/**
 * Compiles every graph into the cache now (cheap when cached) and returns the session set; sessions open on
 * first use. Each provider runs the graphs built for its target (the provider's name is the target's): fp16 on a
 * GPU provider that works (auto: CUDA, then WebGPU), else CPU fp32. PD-FGC's graph is built for the CPU in fp32
 * whatever the target: it runs on CUDA with the rest, else on the CPU (WebGPU sessions take only graphs built for it).
 */
export async function openHelloMemeSessions(paths: HelloMemeModelPaths, options: SessionSetOptions = {}): Promise<HelloMemeSessions> {
  const provider: ExecutionProvider = !options.provider || options.provider === 'auto' ? (await chooseDevice('auto')).device : options.provider;
  const target: Target = provider;
  const residency = options.residency ?? (provider === 'cpu' ? 'stage' : 'all');
  const providerOf = (name: SessionName): ExecutionProvider => (name === 'pd-fgc' && provider !== 'cuda' ? 'cpu' : provider);
  const openMs: Record<string, number> = {};
  const onGraph = (name: SessionName, _graph: CompiledGraph, ms: number) => {
    openMs[`compile ${name}`] = ms;
  };
  const compiled = await compileHelloMemeGraphs(paths, { target, style: options.style, cacheDir: options.cacheDir, onGraph });
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
      const graph = compiled.get(name);
      if (!graph) {
        const why = name === 'clip-text-style' ? 'this session set has no style' : 'its folder is not among the model paths';
        throw new MemeError('ENGINE_UNAVAILABLE', `the HelloMeme engine has no ${name} model (${why})`);
      }
      const t = performance.now();
      pending = createSession(graph.modelPath, { provider: providerOf(name), inputs: graph.inputs, threads: options.threads }).then((created) => {
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
    style: options.style?.id ?? null,
    tokenizer: ClipTokenizer.fromFolder(paths.tokenizer),
    encodeScaling: vaeScaling(paths.vaeEncoder),
    decodeScaling: vaeScaling(paths.vaeDecoder),
    graphs: compiled,
    has: (name) => compiled.has(name),
    session,
    release: (...names) => (residency === 'stage' ? release(...names) : Promise.resolve()),
    openMs,
    async dispose() {
      await release(...open.keys());
    },
  };
}
