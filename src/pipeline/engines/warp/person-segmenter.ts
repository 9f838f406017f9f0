// Person vs background for one photo: MediaPipe Selfie Segmentation (assets/models/selfie-segmentation, 256×256
// in, one sigmoid channel out) on the face analyzer's tfjs runtime. Owns the model file and its pre/post-
// processing; what the mask means for the warp (layers, hole) is decided in head-regions.ts.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MemeError } from '../../../errors.ts';
import { onSharedRuntime } from '../../face/face-analyzer.ts';
import type { HumanRuntime } from '../../face/human-runtime.ts';
import type { RgbImage } from '../../types.ts';

const SELFIE_MODEL = fileURLToPath(new URL('../../../../assets/models/selfie-segmentation/selfie.json', import.meta.url));

/** The tfjs calls made here, reached through human's own tfjs namespace (human-runtime.ts owns the import). */
interface Tensor {
  shape: number[];
}
interface GraphModel {
  inputs: { shape?: number[] }[];
  execute(input: Tensor): Tensor;
}
interface SegmentationOps {
  loadGraphModel(url: string): Promise<GraphModel>;
  tidy<T extends Tensor>(fn: () => T): T;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): Tensor;
  cast(x: Tensor, dtype: 'float32' | 'int32'): Tensor;
  div(x: Tensor, y: number): Tensor;
  mul(x: Tensor, y: number): Tensor;
  expandDims(x: Tensor, axis: number): Tensor;
  squeeze(x: Tensor, axis: number[]): Tensor;
  image: { resizeBilinear(x: Tensor, size: [number, number]): Tensor };
  dispose(x: Tensor): void;
}

export interface PersonSegmenter {
  /** Person probability per pixel of `image`, 0..255, row-major (width × height). */
  segment(image: RgbImage): Promise<Uint8Array>;
}

let modelPromise: Promise<GraphModel> | null = null;

function loadModel(ops: SegmentationOps): Promise<GraphModel> {
  modelPromise ??= ops.loadGraphModel(pathToFileURL(SELFIE_MODEL).href).catch((error: unknown) => {
    modelPromise = null;
    throw new MemeError('ENGINE_UNAVAILABLE', `the person segmentation model did not load from ${path.relative(process.cwd(), SELFIE_MODEL)}: ${String(error)}`);
  });
  return modelPromise;
}

async function segmentOn(runtime: HumanRuntime, image: RgbImage): Promise<Uint8Array> {
  const ops = (runtime.human as unknown as { tf: SegmentationOps }).tf;
  const model = await loadModel(ops);
  const [inH, inW] = (model.inputs[0].shape ?? [1, 256, 256, 3]).slice(1, 3);
  const alpha = ops.tidy(() => {
    const rgb = ops.div(ops.cast(ops.tensor3d(image.data, [image.height, image.width, 3], 'int32'), 'float32'), 255);
    const input = ops.expandDims(ops.image.resizeBilinear(rgb, [inH, inW]), 0);
    const person = ops.squeeze(model.execute(input), [0]); // [inH, inW, 1], already a probability
    return ops.cast(ops.mul(ops.image.resizeBilinear(person, [image.height, image.width]), 255), 'int32');
  });
  try {
    const values = (alpha as unknown as { dataSync(): Int32Array }).dataSync();
    return Uint8Array.from(values, (v) => Math.min(255, Math.max(0, v)));
  } finally {
    ops.dispose(alpha);
  }
}

/** The segmenter on the process's shared face runtime (loaded on first use, the model once). */
export function sharedPersonSegmenter(): PersonSegmenter {
  return { segment: (image) => onSharedRuntime((runtime) => segmentOn(runtime, image)) };
}
