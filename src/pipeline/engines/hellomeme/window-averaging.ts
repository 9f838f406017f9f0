// Tensor side of the temporal windows: slicing a level's [B, C, L, h, w] latents into chunks, averaging the
// chunks' noise predictions on shared frames, and classifier-free guidance. float32 like the reference; no models.
import { MemeError } from '../../../errors.ts';

/** A video tensor [batch, channels, frames, height, width] in NCFHW order, as HelloMeme's pipeline holds it. */
export interface VideoLayout {
  batch: number;
  channels: number;
  height: number;
  width: number;
}

function planeSize(layout: VideoLayout): number {
  return layout.height * layout.width;
}

function checkSize(what: string, tensor: Float32Array, layout: VideoLayout, frames: number): void {
  const expected = layout.batch * layout.channels * frames * planeSize(layout);
  if (tensor.length !== expected) {
    throw new MemeError('BAD_TENSOR', `${what}: ${tensor.length} values, expected [${layout.batch}, ${layout.channels}, ${frames}, ${layout.height}, ${layout.width}]`);
  }
}

/** x[:, :, positions] of a level tensor with `levelFrames` frames. */
export function gatherFrames(level: Float32Array, levelFrames: number, positions: readonly number[], layout: VideoLayout): Float32Array {
  checkSize('level tensor', level, layout, levelFrames);
  const plane = planeSize(layout);
  const out = new Float32Array(layout.batch * layout.channels * positions.length * plane);
  let o = 0;
  for (let bc = 0; bc < layout.batch * layout.channels; bc++) {
    for (const p of positions) {
      const from = (bc * levelFrames + p) * plane;
      out.set(level.subarray(from, from + plane), o);
      o += plane;
    }
  }
  return out;
}

/**
 * The level's noise prediction: each chunk's prediction [B, C, |chunk|, h, w] added at its positions, then
 * divided by how many chunks cover each position, so a frame shared by two windows gets their mean.
 */
export function averageChunkPredictions(predictions: readonly Float32Array[], chunkPositions: readonly number[][], levelFrames: number, layout: VideoLayout): Float32Array {
  if (predictions.length !== chunkPositions.length) throw new MemeError('BAD_TENSOR', `${predictions.length} chunk predictions for ${chunkPositions.length} chunks`);
  const plane = planeSize(layout);
  const sum = new Float32Array(layout.batch * layout.channels * levelFrames * plane);
  const counts = new Uint16Array(levelFrames);
  predictions.forEach((prediction, c) => {
    const positions = chunkPositions[c];
    checkSize(`chunk ${c} prediction`, prediction, layout, positions.length);
    for (const p of positions) counts[p]++;
    let i = 0;
    for (let bc = 0; bc < layout.batch * layout.channels; bc++) {
      for (const p of positions) {
        const base = (bc * levelFrames + p) * plane;
        for (let k = 0; k < plane; k++) sum[base + k] += prediction[i++];
      }
    }
  });
  const missing = counts.indexOf(0);
  if (missing >= 0) throw new MemeError('INTERNAL', `position ${missing} of the level is covered by no chunk`);
  for (let bc = 0; bc < layout.batch * layout.channels; bc++) {
    for (let p = 0; p < levelFrames; p++) {
      const count = counts[p];
      if (count === 1) continue;
      const base = (bc * levelFrames + p) * plane;
      for (let k = 0; k < plane; k++) sum[base + k] /= count;
    }
  }
  return sum;
}

/** ε = ε_uncond + g·(ε_cond − ε_uncond) for a batch [uncond, cond]; returns one batch element. */
export function applyGuidance(prediction: Float32Array, guidanceScale: number): Float32Array {
  if (prediction.length % 2 !== 0) throw new MemeError('BAD_TENSOR', 'a CFG prediction needs an even batch [uncond, cond]');
  const half = prediction.length / 2;
  const out = new Float32Array(half);
  const g = Math.fround(guidanceScale);
  for (let i = 0; i < half; i++) {
    const uncond = prediction[i];
    out[i] = uncond + Math.fround(g * Math.fround(prediction[half + i] - uncond));
  }
  return out;
}

/** cat([x, x]) along the batch: the CFG model input [uncond, cond] from one latent batch. */
export function duplicateForGuidance(latents: Float32Array): Float32Array {
  const out = new Float32Array(latents.length * 2);
  out.set(latents, 0);
  out.set(latents, latents.length);
  return out;
}
