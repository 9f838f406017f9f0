// Owns loading @vladmandic/human on the tfjs wasm backend from node_modules, fully offline.
// The only importer of human and tfjs; it knows nothing of Face shapes or fallbacks (face-analyzer.ts does).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Config, FaceResult, Human, ObjectResult } from '@vladmandic/human';
import { MemeError } from '../../errors.ts';

// human's package exports map points Node at the tfjs-node build, so the wasm build is loaded by path;
// one CommonJS require keeps human and our tfjs calls on the same tfjs-core instance (one engine).
const require = createRequire(import.meta.url);

/** The slice of tfjs-core we call directly. */
export interface TfCore {
  tensor3d(values: Uint8Array | Float32Array, shape: [number, number, number], dtype: 'int32' | 'float32'): TfTensor;
  tidy<T extends TfTensor>(fn: () => T): T;
  cast(tensor: TfTensor, dtype: 'float32'): TfTensor;
  pad(tensor: TfTensor, paddings: [number, number][], constantValue: number): TfTensor;
  image: { resizeBilinear(tensor: TfTensor, size: [number, number], alignCorners?: boolean, halfPixelCenters?: boolean): TfTensor };
  dispose(tensor: TfTensor): void;
  memory(): { numTensors: number };
  io: {
    registerLoadRouter(router: (url: string | string[]) => unknown): void;
  };
}
export interface TfTensor {
  shape: number[];
}

export interface HumanRuntime {
  human: Human;
  tf: TfCore;
  /** Milliseconds spent loading the backend and the four models. */
  loadMs: number;
}

const FILE_SCHEME = 'file://';
/** Models shipped in @vladmandic/human/models that the face pipeline needs (centernet: COCO objects, for human-check.ts). */
const REQUIRED_MODELS = ['blazeface', 'facemesh', 'iris', 'faceres', 'centernet'];

/** The `dist` folder of a package whose entry point lives there (human's exports map hides package.json). */
function distDir(packageName: string): string {
  return path.dirname(require.resolve(packageName));
}

/** tfjs IOHandler that reads a graph model (model.json + weight shards) from the local disk. */
function fileModelHandler(modelJsonPath: string) {
  return {
    async load() {
      const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8'));
      const dir = path.dirname(modelJsonPath);
      const weightSpecs = [];
      const buffers: Buffer[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const shard of group.paths) buffers.push(await readFile(path.join(dir, shard)));
      }
      const joined = Buffer.concat(buffers);
      const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        signature: modelJson.signature,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        weightSpecs,
        weightData,
      };
    },
  };
}

function fileRouter(url: string | string[]) {
  const first = Array.isArray(url) ? url[0] : url;
  if (typeof first !== 'string' || !first.startsWith(FILE_SCHEME)) return null;
  return fileModelHandler(fileURLToPath(first));
}

let routerRegistered = false;

/** Face detector + mesh + iris + description and COCO objects on; everything else off; no frame caching (set per call). */
function humanConfig(modelDir: string, wasmDir: string): Partial<Config> {
  const off = { enabled: false };
  return {
    backend: 'wasm',
    wasmPath: `${wasmDir}${path.sep}`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    validateModels: false,
    cacheSensitivity: 0,
    modelBasePath: `${pathToFileURL(modelDir).href}/`,
    filter: { enabled: false },
    gesture: off,
    body: off,
    hand: off,
    // enabled so that load() loads it; each call turns it on or off (callConfig)
    object: { enabled: true, modelPath: 'centernet.json', minConfidence: 0.2, maxDetected: 10, skipFrames: 0, skipTime: 0, iouThreshold: 0.4 },
    segmentation: off,
    face: {
      enabled: true,
      detector: {
        enabled: true,
        modelPath: 'blazeface.json',
        rotation: true,
        maxDetected: 1, // set per call by callConfig
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0.2,
        iouThreshold: 0.1,
        minSize: 0,
        return: false,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', keepInvalid: false },
      iris: { enabled: true, modelPath: 'iris.json' },
      description: { enabled: true, modelPath: 'faceres.json', skipFrames: 0, skipTime: 0 },
      attention: off,
      emotion: off,
      antispoof: off,
      liveness: off,
      gear: off,
    },
  };
}

/**
 * wasm threads: at most 2, leaving one core to the rest of the process (1 on a 2-core machine). Only a
 * ceiling: under Node tfjs reports WASM_HAS_MULTITHREAD_SUPPORT = false and runs the single-threaded SIMD build.
 */
function wasmThreadCount(cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores - 1));
}

/** Loads tfjs wasm + human and the face models from node_modules (no network); ENGINE_UNAVAILABLE if one is missing. */
export async function loadHumanRuntime(): Promise<HumanRuntime> {
  const startedMs = performance.now();
  const tf = require('@tensorflow/tfjs-core') as TfCore;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void };
  if (!routerRegistered) {
    tf.io.registerLoadRouter(fileRouter);
    routerRegistered = true;
  }
  wasm.setThreadsCount(wasmThreadCount());
  const humanDist = distDir('@vladmandic/human');
  const wasmDir = distDir('@tensorflow/tfjs-backend-wasm');
  const humanModule = require(path.join(humanDist, 'human.node-wasm.js')) as {
    Human: new (config: Partial<Config>) => Human;
  };
  const human = new humanModule.Human(humanConfig(path.join(humanDist, '..', 'models'), wasmDir));
  await human.init();
  await human.load();
  // human logs a failed model load and carries on; without a model every photo would read as NO_FACE
  const missing = REQUIRED_MODELS.filter((name) => !human.models.loaded().includes(name));
  if (missing.length > 0) throw new MemeError('ENGINE_UNAVAILABLE', `face models did not load: ${missing.join(', ')}`);
  return { human, tf, loadMs: performance.now() - startedMs };
}

/** Per-call human settings; passed every time because human merges them into its config for good. */
export function callConfig(mode: 'still' | 'describe' | 'video' | 'objects', maxFaces: number): Partial<Config> {
  const video = mode === 'video';
  return {
    // video mode lets human reuse the previous frame's mesh box instead of re-running BlazeFace
    cacheSensitivity: video ? 0.7 : 0,
    object: { enabled: mode === 'objects' },
    face: {
      enabled: mode !== 'objects',
      detector: { maxDetected: maxFaces, skipFrames: video ? 8 : 0, skipTime: video ? 60_000 : 0 },
      description: { enabled: mode === 'describe' },
    },
  } as Partial<Config>;
}

/** One human.detect call for COCO objects only. */
export async function runObjects(runtime: HumanRuntime, tensor: TfTensor): Promise<ObjectResult[]> {
  const result = await runtime.human.detect(tensor as never, callConfig('objects', 1));
  if (result.error) throw new MemeError('INTERNAL', `object detection failed: ${result.error}`);
  return result.object;
}

/** One human.detect call on a [H, W, 3] tensor; human reports failures in the result, we throw them. */
export async function runHuman(runtime: HumanRuntime, tensor: TfTensor, config: Partial<Config>): Promise<FaceResult[]> {
  const result = await runtime.human.detect(tensor as never, config);
  if (result.error) throw new MemeError('INTERNAL', `face detection failed: ${result.error}`);
  return result.face;
}

export type { FaceResult, Config };
