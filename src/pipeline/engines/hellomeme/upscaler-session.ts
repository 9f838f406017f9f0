// Real-ESRGAN ×2 as a session (spec §6.4 step 2, HelloMeme's `sr=True` default): compiled once from
// RealESRGAN_x2plus.pth into the graph cache, then 512² RGB frames in, 1024² frames out, each through
// RealESRGANer's pre-pad/crop wrapper and tiled so the 64-channel activations at 1024² never exist whole.
import { throwIfAborted } from '../../../errors.ts';
import { compileGraph } from '../../../graph/compile-graph.ts';
import type { CompiledGraph } from '../../../graph/graph-cache.ts';
import { buildRrdbNetGraph, loadRrdbNet } from '../../../graph/models/esrgan/build-graph.ts';
import { enhanceRgb } from '../../../graph/models/esrgan/enhance-rgb.ts';
import type { RrdbNetConfig } from '../../../graph/models/esrgan/rrdbnet.ts';
import { DEFAULT_TILES, type TileOptions } from '../../../graph/models/esrgan/tiled-upscale.ts';
import type { Target } from '../../../graph/onnx/graph-builder.ts';
import { targetProfile } from '../../../graph/onnx/targets.ts';
import { createSession, type ExecutionProvider, type GraphSession } from '../../../graph/runtime.ts';
import type { RgbImage } from '../../types.ts';
import { f32Tensor, floatsOf } from './video-tensors.ts';

interface UpscalerSessionOptions {
  /** Compiled-graph cache (default ~/.cache/memeloom/graphs or MEMELOOM_GRAPH_CACHE). */
  readonly cacheDir?: string;
  readonly threads?: number;
  /** where it runs, in the target's float type: fp16 on the GPU providers, as HelloMeme runs it (half=True); CPU fp32 */
  readonly provider?: ExecutionProvider;
  readonly tiles?: TileOptions;
}

export interface UpscalerSession {
  readonly config: RrdbNetConfig;
  /** One frame upscaled by the model's scale (RealESRGANer.enhance with outscale = scale). */
  upscale(frame: RgbImage, signal?: AbortSignal): Promise<RgbImage>;
  dispose(): Promise<void>;
}

/**
 * The Real-ESRGAN graph for a checkpoint (.pth, params_ema, or a safetensors file of the same names), in the graph
 * cache, in the target's float type (fp16 on the GPU targets, as HelloMeme runs it: half=True; fp32 on the CPU).
 * `models build --preset` compiles it here too.
 */
export async function compileUpscalerGraph(weightsPath: string, options: { target: Target; cacheDir?: string }): Promise<{ compiled: CompiledGraph; config: RrdbNetConfig }> {
  const { target } = options;
  const floatType = targetProfile(target).floatType;
  const loaded = await loadRrdbNet(weightsPath);
  try {
    const config = loaded.net.config;
    const compiled = await compileGraph(
      { name: `esrgan-x${config.scale}`, target, floatType, config: { ...config }, weightFiles: [weightsPath], open: async () => ({ graph: buildRrdbNetGraph(loaded.net, { target, floatType }), close: async () => {} }) },
      { cacheDir: options.cacheDir },
    );
    return { compiled, config };
  } finally {
    await loaded.close();
  }
}

/** Opens the upscaler from a Real-ESRGAN checkpoint (.pth, params_ema) or a safetensors file of the same names. */
export async function openUpscalerSession(weightsPath: string, options: UpscalerSessionOptions = {}): Promise<UpscalerSession> {
  const target = options.provider ?? 'cpu';
  const { compiled, config } = await compileUpscalerGraph(weightsPath, { target, cacheDir: options.cacheDir });
  const session: GraphSession = await createSession(compiled.modelPath, { provider: target, threads: options.threads, inputs: compiled.inputs });
  const unshuffle = 4 / config.scale;
  return {
    config,
    async upscale(frame, signal) {
      return enhanceRgb(frame, config.scale, unshuffle, async (tile) => {
        throwIfAborted(signal);
        const out = await session.run({ image: f32Tensor([1, tile.channels, tile.height, tile.width], tile.data) });
        return floatsOf(out.upscaled);
      }, options.tiles ?? DEFAULT_TILES);
    },
    dispose: () => session.dispose(),
  };
}
