// Host-memory plan of one HelloMeme job (spec §8): the per-frame control-map cache and the keyframe pad cache
// grow with the clip; reference maps and latents are fixed. Arithmetic over shapes only; allocates nothing.
import { planTemporalLevels } from '../../src/pipeline/engines/hellomeme/temporal-windows.ts';

export interface MemoryPlanInput {
  frameCount: number;
  /** Latent side (64 for 512² SD1.5). */
  latentSize: number;
  /** UNet channels at down_0..3 outputs and up_0..3 inputs (SD1.5: 320/640/1280/1280 and 1280/1280/1280/640). */
  downChannels: readonly number[];
  upChannels: readonly number[];
  /** 2 with classifier-free guidance. */
  batch?: number;
  bytesPerValue?: number;
}

export interface MemoryPlan {
  /** One frame's 8 control maps, all CFG halves. */
  controlBytesPerFrame: number;
  controlCacheBytes: number;
  /** One keyframe's 8 reference maps (the pads), all CFG halves. */
  padBytesPerKeyframe: number;
  keyframes: number;
  padCacheBytes: number;
  referenceBytes: number;
  latentBytes: number;
  totalHostBytes: number;
}

/** Sides of the 8 levels for a latent side: down_0..3 then up_0..3. */
export function levelSides(latentSize: number): { down: number[]; up: number[] } {
  return { down: [2, 4, 8, 8].map((d) => latentSize / d), up: [8, 4, 2, 1].map((d) => latentSize / d) };
}

export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const batch = input.batch ?? 2;
  const bytes = input.bytesPerValue ?? 4;
  const sides = levelSides(input.latentSize);
  const mapsValues = input.downChannels.reduce((s, c, i) => s + c * sides.down[i] ** 2, 0) + input.upChannels.reduce((s, c, i) => s + c * sides.up[i] ** 2, 0);
  const perFrame = mapsValues * batch * bytes;
  const levels = planTemporalLevels(input.frameCount);
  const keyframes = new Set(levels.flatMap((l) => l.padsWritten)).size;
  const controlCacheBytes = perFrame * input.frameCount;
  const padCacheBytes = perFrame * keyframes;
  const referenceBytes = perFrame;
  // Base noise (N + 13 frames) plus a level's latents, guided prediction and the CFG model input.
  const latentBytes = 4 * input.latentSize ** 2 * bytes * (input.frameCount + 13 + input.frameCount * (2 + batch));
  return {
    controlBytesPerFrame: perFrame,
    controlCacheBytes,
    padBytesPerKeyframe: perFrame,
    keyframes,
    padCacheBytes,
    referenceBytes,
    latentBytes,
    totalHostBytes: controlCacheBytes + padCacheBytes + referenceBytes + latentBytes,
  };
}
