// The only importer of onnxruntime-node: creates sessions (CUDA when present, else CPU), checks feeds by name,
// dtype and shape against the graph's IO spec with readable errors, runs, and disposes. ORT types stay here.
//
// No IO binding, on purpose. onnxruntime-node already wraps input buffers without a copy, and binding
// pre-allocated outputs (`run(feeds, fetches)`) measured no gain on the CPU EP: tiny VAE decoder to a 512 px
// image, 10 runs each, 232.5 / 227.5 ms plain vs 227.7 / 240.0 ms into a reused buffer. Device-resident
// binding in Node exists only for WebGPU buffers ('gpu-buffer'), not for CUDA, so the one place it would pay
// (the reference features fed to every UNet step) has no Node API on the cuda target.
import * as ort from 'onnxruntime-node';
import { InputError, MemeError } from '../errors.ts';
import type { Dim, ElemType, IoSpec } from './onnx/graph-builder.ts';

export type HostArrayOf<E extends ElemType> = E extends 'int64' ? BigInt64Array : E extends 'int32' ? Int32Array : E extends 'bool' ? Uint8Array : E extends 'float16' ? Uint16Array : Float32Array;

/** A tensor in host memory, free of ORT types. */
export interface HostTensor {
  readonly elem: ElemType;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Uint16Array;
}

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface SessionOptions {
  readonly provider?: ProviderChoice;
  /** intra-op threads; default lets ORT decide */
  readonly threads?: number;
  /** the graph's declared inputs, for validation before ORT sees the feed */
  readonly inputs?: readonly IoSpec[];
}

export interface GraphSession {
  readonly provider: 'cpu' | 'cuda';
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  dispose(): Promise<void>;
}

const ORT_TYPE: Record<ElemType, ort.Tensor.Type> = { float32: 'float32', float16: 'float16', int64: 'int64', int32: 'int32', bool: 'bool' };

export function cudaAvailable(): boolean {
  return ort.listSupportedBackends().some((b) => b.name === 'cuda');
}

/** Checks feeds against the declared inputs; one error lists every problem by input name. */
export function validateFeeds(specs: readonly IoSpec[], feeds: Readonly<Record<string, HostTensor>>): void {
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
  if (problems.length) throw new InputError('BAD_TENSOR', problems.join('; '), { problems });
}

function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[t.elem], t.data as never, [...t.dims]);
}

function fromOrt(t: ort.Tensor): HostTensor {
  const elem = (Object.entries(ORT_TYPE).find(([, v]) => v === t.type)?.[0] ?? 'float32') as ElemType;
  return { elem, dims: [...t.dims], data: t.data as HostTensor['data'] };
}

async function createOrtSession(model: Uint8Array | string, provider: 'cpu' | 'cuda', threads?: number): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(threads ? { intraOpNumThreads: threads } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** Creates a session from model bytes or a model path (a path is needed when weights are external data). */
export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<GraphSession> {
  const choice = options.provider ?? 'auto';
  const wantCuda = choice === 'cuda' || (choice === 'auto' && cudaAvailable());
  let provider: 'cpu' | 'cuda' = wantCuda ? 'cuda' : 'cpu';
  let session: ort.InferenceSession;
  try {
    session = await createOrtSession(model, provider, options.threads);
  } catch (error) {
    if (provider !== 'cuda' || choice === 'cuda') throw new MemeError('ENGINE_UNAVAILABLE', `cannot create an ONNX Runtime session: ${(error as Error).message}`);
    provider = 'cpu';
    session = await createOrtSession(model, provider, options.threads);
  }
  const specs = options.inputs;
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
    async dispose() {
      await session.release();
    },
  };
}
