// The one way a model becomes a cached ONNX graph, for every model (SD1.5 parts, HelloMeme's modules, PD-FGC,
// Real-ESRGAN): the content hashes of the files that feed it, its configuration, target and float type make the
// cache key; the weights are opened and the graph built only when the cache has no entry for it.
import { type CompiledGraph, cachedFileHash, compileCached, defaultCacheDir, graphCacheKey } from './graph-cache.ts';
import type { FloatType, GraphBuilder, Target } from './onnx/graph-builder.ts';

/** A built graph and how to close what it reads its weights from (after the graph is written). */
interface OpenedGraph {
  readonly graph: GraphBuilder;
  close(): Promise<void>;
}

export interface GraphRecipe {
  /** Names the cache entry: a model ('unet', 'pd-fgc') or a variant ('hm5-denoise-pad'). */
  readonly name: string;
  readonly target: Target;
  readonly floatType: FloatType;
  /** Everything besides the weights that shapes the graph (configs of every module it binds). */
  readonly config: Record<string, unknown>;
  /** Every file whose bytes feed the graph. */
  readonly weightFiles: readonly string[];
  /** LoRAs merged into the weights: their files and scales are part of the key. */
  readonly loras?: readonly { readonly path: string; readonly scale: number }[];
  /** Opens the weights and builds the graph; called only on a cache miss. */
  open(): Promise<OpenedGraph>;
}

interface CompileGraphOptions {
  /** Compiled-graph cache (default ~/.cache/memeloom/graphs or MEMELOOM_GRAPH_CACHE). */
  readonly cacheDir?: string;
}

/** The cached graph for `recipe`, compiled now if the cache has none (weight hashes are memoised per file). */
export async function compileGraph(recipe: GraphRecipe, options: CompileGraphOptions = {}): Promise<CompiledGraph> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const weightHashes = await Promise.all(recipe.weightFiles.map((f) => cachedFileHash(cacheDir, f)));
  for (const lora of recipe.loras ?? []) weightHashes.push(`lora:${await cachedFileHash(cacheDir, lora.path)}:${lora.scale}`);
  const key = graphCacheKey({ model: recipe.name, target: recipe.target, floatType: recipe.floatType, config: recipe.config, weightHashes });
  return compileCached(cacheDir, recipe.name, key, recipe.open);
}
