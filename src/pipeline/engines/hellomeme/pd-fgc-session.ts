// The PD-FGC expression encoder as a session (spec §3.7): compiled once from its official folder into the graph
// cache, then aligned 224² faces in, 548-d pd_fpg vectors out, a few frames per call. Alignment is the toolkit's.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import { type CompiledGraph, cachedFileHash, compileCached, defaultCacheDir, graphCacheKey } from '../../../graph/graph-cache.ts';
import { buildPdFgcGraph } from '../../../graph/models/hellomeme/build-graph.ts';
import { loadPdFgcEncoder } from '../../../graph/models/hellomeme/load-modules.ts';
import { PD_FGC_INPUT_SIZE } from '../../../graph/models/hellomeme/pd-fgc-encoder.ts';
import { createSession, type GraphSession, type ProviderChoice } from '../../../graph/runtime.ts';
import { readJsonFile, resolveComponent } from '../../../graph/weights/model-folder.ts';
import { EXPRESSION_DIM } from './control-signals.ts';
import { f32Tensor, floatsOf } from './video-tensors.ts';

/** Faces per encoder call: enough to amortise the call, small enough that CPU activations stay in the tens of MB. */
const FACES_PER_CALL = 4;

export interface PdFgcSessionOptions {
  /** Compiled-graph cache (default ~/.cache/memeloom/graphs or MEMELOOM_GRAPH_CACHE). */
  readonly cacheDir?: string;
  readonly provider?: ProviderChoice;
  readonly threads?: number;
}

export interface PdFgcSession {
  /** [N, 548] for N aligned faces, each [3, 224, 224] in [−1, 1] (buildPdFgcInput(...).tensor). */
  encode(faces: readonly Float32Array[], signal?: AbortSignal): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Opens the encoder from `folder` (config.json + safetensors, the songkey/pd_fgc_motion layout). */
export async function openPdFgcSession(folder: string, options: PdFgcSessionOptions = {}): Promise<PdFgcSession> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const component = resolveComponent(folder, null);
  const config = component.config ? readJsonFile(component.config) : {};
  const weightHashes = await Promise.all(component.weights.map((f) => cachedFileHash(cacheDir, f)));
  // fp32 on every provider: the encoder is small and runs once per frame, so fp16 would save nothing worth its drift.
  const key = graphCacheKey({ model: 'pd-fgc', target: 'cpu', floatType: 'float32', config, weightHashes });
  const loaded = await loadPdFgcEncoder(folder);
  const outputDim = loaded.encoder.outputDim;
  let compiled: CompiledGraph;
  try {
    // The control net embeds exactly 548 values a frame; a config with other eye/pose sizes cannot feed it.
    if (outputDim !== EXPRESSION_DIM) throw new MemeError('BAD_WEIGHTS', `PD-FGC encoder in ${folder} gives ${outputDim} values per face; the control net takes ${EXPRESSION_DIM}`);
    compiled = await compileCached(cacheDir, 'pd-fgc', key, () => buildPdFgcGraph(loaded.encoder, { target: 'cpu', floatType: 'float32' }));
  } finally {
    await loaded.close();
  }
  const session: GraphSession = await createSession(compiled.modelPath, { provider: options.provider, threads: options.threads, inputs: compiled.inputs });
  const plane = 3 * PD_FGC_INPUT_SIZE * PD_FGC_INPUT_SIZE;
  return {
    async encode(faces, signal) {
      const out = new Float32Array(faces.length * outputDim);
      for (let from = 0; from < faces.length; from += FACES_PER_CALL) {
        throwIfAborted(signal);
        const batch = faces.slice(from, from + FACES_PER_CALL);
        const input = new Float32Array(batch.length * plane);
        for (const [i, face] of batch.entries()) input.set(face, i * plane);
        const result = await session.run({ image: f32Tensor([batch.length, 3, PD_FGC_INPUT_SIZE, PD_FGC_INPUT_SIZE], input) });
        out.set(floatsOf(result.pd_fpg), from * outputDim);
      }
      return out;
    },
    dispose: () => session.dispose(),
  };
}

