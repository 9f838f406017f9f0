// Records the v5 sampling loop's intermediates under the names and shapes of the loop golden
// (test/golden/hellomeme_v5_tiny/loop/manifest.json, `intermediates`): per level depth{d}.timesteps / .sigmas /
// .latents / .model_outputs, per chunk depth{d}.chunk{k}.noise_pred, and the keyframes with their pad features.
// It wraps the loop's models and observes its steps; it never changes a value the loop computes.
import type { HostTensor } from '../../../graph/runtime.ts';
import { LEVEL_NAMES, type KeyframePads } from './engine-stages.ts';
import type { TemporalLevel } from './temporal-windows.ts';
import type { V5LoopModels, V5LoopObserver } from './v5-sampling-loop.ts';
import { stackFrames } from './video-tensors.ts';
import { gatherFrames } from './window-averaging.ts';

export interface TracedTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

interface LevelRecord {
  level: TemporalLevel;
  timesteps: readonly number[];
  /** [0] = the starting latents, [s + 1] = after step s; each [1, 4, L, h, w]. */
  latents: Float32Array[];
  modelOutputs: Float32Array[];
  /** Per chunk, per step: the raw denoiser output [B, 4, |chunk|, h, w] (B = 2 with CFG). */
  chunkPredictions: Float32Array[][];
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface LoopTraceOptions {
  readonly latentHeight: number;
  readonly latentWidth: number;
  /** The scheduler's sigma table (steps + 1 values) when it has one (DPM-Solver): recorded as depth{d}.sigmas. */
  readonly sigmas?: Float32Array;
}

export class LoopTrace {
  private readonly levels = new Map<number, LevelRecord>();
  readonly observer: V5LoopObserver;

  constructor(private readonly options: LoopTraceOptions) {
    this.observer = {
      levelStarted: (level, timesteps, latents) => {
        this.levels.set(level.depth, { level, timesteps: [...timesteps], latents: [latents.slice()], modelOutputs: [], chunkPredictions: level.chunks.map(() => []) });
      },
      stepDone: (level, _step, modelOutput, latents) => {
        const record = this.record(level);
        record.modelOutputs.push(modelOutput.slice());
        record.latents.push(latents.slice());
      },
    };
  }

  private record(level: TemporalLevel): LevelRecord {
    const record = this.levels.get(level.depth);
    if (!record) throw new Error(`loop trace: level ${level.depth} reported before it started`);
    return record;
  }

  /** The loop's models with every chunk prediction recorded. */
  wrap(models: V5LoopModels): V5LoopModels {
    return {
      denoise: async (call, signal) => {
        const prediction = await models.denoise(call, signal);
        this.record(call.level).chunkPredictions[call.chunkIndex][call.stepIndex] = prediction.slice();
        return prediction;
      },
      writePads: (frames, latents, signal) => models.writePads(frames, latents, signal),
    };
  }

  /**
   * The recorded tensors. Keyframes are every frame holding a pad when the loop ends (the depth-1 frames, which
   * include every deeper level's), ascending, with the latent of the last level that wrote its pad.
   */
  tensors(pads: KeyframePads): Map<string, TracedTensor> {
    const { latentHeight: h, latentWidth: w } = this.options;
    const layout = { batch: 1, channels: 4, height: h, width: w };
    const out = new Map<string, TracedTensor>();
    const keyframeLatents = new Map<number, Float32Array>();
    for (const { level, timesteps, latents, modelOutputs, chunkPredictions } of this.levels.values()) {
      const d = level.depth;
      const frames = level.indexes.length;
      const steps = modelOutputs.length;
      out.set(`depth${d}.timesteps`, { shape: [timesteps.length], data: Float32Array.from(timesteps) });
      if (this.options.sigmas) out.set(`depth${d}.sigmas`, { shape: [this.options.sigmas.length], data: this.options.sigmas.slice() });
      out.set(`depth${d}.latents`, { shape: [latents.length, 1, 4, frames, h, w], data: concat(latents) });
      out.set(`depth${d}.model_outputs`, { shape: [steps, 1, 4, frames, h, w], data: concat(modelOutputs) });
      chunkPredictions.forEach((perStep, k) => {
        const length = level.chunks[k].length;
        const batch = perStep[0].length / (4 * length * h * w);
        out.set(`depth${d}.chunk${k}.noise_pred`, { shape: [perStep.length, batch, 4, length, h, w], data: concat(perStep) });
      });
      const final = latents[latents.length - 1];
      const position = new Map(level.indexes.map((frame, p) => [frame, p]));
      for (const frame of level.padsWritten) keyframeLatents.set(frame, gatherFrames(final, frames, [position.get(frame) as number], layout));
    }
    const keyframes = [...pads.keys()].sort((a, b) => a - b);
    if (keyframes.length === 0) return out;
    out.set('keyframes.frames', { shape: [keyframes.length], data: Float32Array.from(keyframes) });
    out.set('keyframes.latents', { shape: [1, 4, keyframes.length, h, w], data: stackFrames(keyframes.map((f) => keyframeLatents.get(f) as Float32Array), 4) });
    for (const name of LEVEL_NAMES) {
      const maps = keyframes.map((f) => (pads.get(f) as Record<string, HostTensor>)[name]);
      const [b, c, mh, mw] = maps[0].dims;
      out.set(`pad.${name}`, { shape: [b, c, keyframes.length, mh, mw], data: stackFrames(maps.map((m) => m.data as Float32Array), b * c) });
    }
    return out;
  }
}
