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
  cast(x: Tensor, dtype: 'float32'): Tensor;
  div(x: Tensor, y: number): Tensor;
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

/**
 * Square tiles along the picture's longer side (one for a square picture), a quarter tile apart: the model takes a
 * square input, and a wide group photo squeezed into it left people too thin to be found (nothing at all on three
 * portraits side by side). So close together, a person up to half a tile wide lies wholly inside some tile.
 */
export function squareTiles(width: number, height: number): { x: number; y: number; side: number }[] {
  const side = Math.min(width, height);
  const long = Math.max(width, height);
  const count = long <= side ? 1 : Math.ceil((long - side) / (side / 4)) + 1;
  return Array.from({ length: count }, (_, k) => {
    const at = count === 1 ? 0 : Math.round(((long - side) * k) / (count - 1));
    return width >= height ? { x: at, y: 0, side } : { x: 0, y: at, side };
  });
}

/** Person probability (0..1) of one square tile of `image`, at the tile's own resolution. */
function segmentTile(ops: SegmentationOps, model: GraphModel, image: RgbImage, tile: { x: number; y: number; side: number }): Float32Array {
  const { x, y, side } = tile;
  const pixels = new Uint8Array(side * side * 3);
  for (let row = 0; row < side; row++) pixels.set(image.data.subarray(((y + row) * image.width + x) * 3, ((y + row) * image.width + x + side) * 3), row * side * 3);
  const [inH, inW] = (model.inputs[0].shape ?? [1, 256, 256, 3]).slice(1, 3);
  const person = ops.tidy(() => {
    const rgb = ops.div(ops.cast(ops.tensor3d(pixels, [side, side, 3], 'int32'), 'float32'), 255);
    const input = ops.expandDims(ops.image.resizeBilinear(rgb, [inH, inW]), 0);
    const out = ops.squeeze(model.execute(input), [0]); // [inH, inW, 1], already a probability
    return ops.image.resizeBilinear(out, [side, side]);
  });
  try {
    // The model's mask comes in blocks of two of its own pixels; blurred over that size, twice (a tent), its
    // edges are smooth instead of square.
    const values = Float32Array.from((person as unknown as { dataSync(): Float32Array }).dataSync());
    const radius = Math.max(1, Math.round(side / inW));
    return boxBlur(boxBlur(values, side, radius), side, radius);
  } finally {
    ops.dispose(person);
  }
}

/** Mean over a (2r+1)² square around each pixel of a side×side plane (clipped at the edges), separable. */
function boxBlur(values: Float32Array, side: number, r: number): Float32Array {
  const pass = (input: Float32Array, step: number, stride: number): Float32Array => {
    const output = new Float32Array(input.length);
    for (let line = 0; line < side; line++) {
      const base = line * stride;
      let sum = 0;
      let count = 0;
      for (let k = 0; k < Math.min(r, side); k++) {
        sum += input[base + k * step];
        count++;
      }
      for (let k = 0; k < side; k++) {
        if (k + r < side) {
          sum += input[base + (k + r) * step];
          count++;
        }
        if (k - r - 1 >= 0) {
          sum -= input[base + (k - r - 1) * step];
          count--;
        }
        output[base + k * step] = sum / count;
      }
    }
    return output;
  };
  return pass(pass(values, 1, side), side, 1);
}

async function segmentOn(runtime: HumanRuntime, image: RgbImage): Promise<Uint8Array> {
  const ops = (runtime.human as unknown as { tf: SegmentationOps }).tf;
  const model = await loadModel(ops);
  const { width, height } = image;
  const best = new Float32Array(width * height);
  for (const tile of squareTiles(width, height)) {
    const person = segmentTile(ops, model, image, tile);
    // A person cut by a tile's edge is half seen and often missed there: each pixel takes the surest tile.
    for (let row = 0; row < tile.side; row++) {
      const o = (tile.y + row) * width + tile.x;
      for (let col = 0; col < tile.side; col++) best[o + col] = Math.max(best[o + col], person[row * tile.side + col]);
    }
  }
  return Uint8Array.from(best, (v) => Math.round(Math.min(255, Math.max(0, 255 * v))));
}

/** The segmenter on the process's shared face runtime (loaded on first use, the model once). */
export function sharedPersonSegmenter(): PersonSegmenter {
  return { segment: (image) => onSharedRuntime((runtime) => segmentOn(runtime, image)) };
}
