// Small layout moves on float32 video tensors [B, C, F, h, w] and images, between the engine's stages and the
// ONNX sessions: frame scatter/stack, batch halves, CHW ↔ RGB bytes. Pure array work; no models.
import { MemeError } from '../../../errors.ts';
import type { HostTensor } from '../../../graph/runtime.ts';
import type { RgbImage } from '../../types.ts';

export const f32Tensor = (dims: readonly number[], data: Float32Array): HostTensor => {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new MemeError('BAD_TENSOR', `tensor [${dims.join(', ')}] needs ${count} values, got ${data.length}`);
  return { elem: 'float32', dims: [...dims], data };
};

export const floatsOf = (t: HostTensor): Float32Array => t.data as Float32Array;

/** Writes `part` [B, C, k, h, w] into `whole` [B, C, F, h, w] at frames from..from+k−1. */
export function scatterFrames(whole: Float32Array, totalFrames: number, part: Float32Array, partFrames: number, from: number, batchChannels: number): void {
  const plane = whole.length / (batchChannels * totalFrames);
  for (let bc = 0; bc < batchChannels; bc++) {
    const src = part.subarray(bc * partFrames * plane, (bc + 1) * partFrames * plane);
    whole.set(src, (bc * totalFrames + from) * plane);
  }
}

/** Concatenates single-frame tensors [B, C, 1, h, w] (or [B, C, h, w]) along a new frame axis → [B, C, k, h, w]. */
export function stackFrames(frames: readonly Float32Array[], batchChannels: number): Float32Array {
  const per = frames[0].length / batchChannels;
  const out = new Float32Array(frames.length * frames[0].length);
  frames.forEach((frame, f) => {
    for (let bc = 0; bc < batchChannels; bc++) out.set(frame.subarray(bc * per, (bc + 1) * per), (bc * frames.length + f) * per);
  });
  return out;
}

/** Batch element(s) [from, from + count) of a tensor whose first axis is the batch. */
export function batchSlice(t: HostTensor, from: number, count: number): HostTensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return { elem: t.elem, dims: [count, ...t.dims.slice(1)], data: t.data.slice(from * per, (from + count) * per) as HostTensor['data'] };
}

/** RGB bytes → CHW floats in [−1, 1] (diffusers' image preprocessing). */
export function rgbToSigned(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = (image.data[i * 3 + c] / 255) * 2 - 1;
  return out;
}

/** CHW floats in [−1, 1] → RGB bytes: (x/2 + 0.5) clamped to [0, 1], ×255, rounded. */
export function signedToRgb(chw: Float32Array, width: number, height: number): RgbImage {
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(Math.min(1, Math.max(0, chw[c * plane + i] / 2 + 0.5)) * 255);
  }
  return { width, height, data };
}
