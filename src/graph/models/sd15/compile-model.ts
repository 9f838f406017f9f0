// Compiles one SD1.5 model to a cached .onnx (external data next to it): load + optional LoRA merge + build,
// keyed by content hashes. Also finds which models a diffusers folder or single-file checkpoint holds.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileGraph } from '../../compile-graph.ts';
import type { CompiledGraph } from '../../graph-cache.ts';
import type { FloatType, Target } from '../../onnx/graph-builder.ts';
import { targetProfile } from '../../onnx/targets.ts';
import { mergeLora } from '../../weights/lora-merge.ts';
import { readJsonFile } from '../../weights/model-folder.ts';
import { openSafetensorsStore } from '../../weights/weight-store.ts';
import { type Sd15Model, buildSd15Graph } from './build-graph.ts';
import { loadSd15Model } from './load-model.ts';

export interface LoraSpec {
  readonly path: string;
  readonly scale: number;
}

interface CompileOptions {
  readonly cacheDir?: string;
  readonly target?: Target;
  readonly floatType?: FloatType;
  readonly loras?: readonly LoraSpec[];
}

const LORA_TARGET: Partial<Record<Sd15Model, 'unet' | 'text_encoder'>> = { unet: 'unet', 'clip-text': 'text_encoder' };

/**
 * The target's float type (fp16 on the GPU targets), except the VAE when its config asks for force_upcast (the
 * default): SD1.5's VAE decoder overflows fp16, so it stays fp32 there, as diffusers does.
 */
export function defaultFloatType(model: Sd15Model, target: Target, config: Record<string, unknown>): FloatType {
  if (targetProfile(target).floatType === 'float32') return 'float32';
  if ((model === 'vae-encoder' || model === 'vae-decoder') && config.force_upcast !== false) return 'float32';
  return 'float16';
}

export async function compileSd15Model(model: Sd15Model, weightsPath: string, configPath: string | null, options: CompileOptions = {}): Promise<CompiledGraph> {
  const target = options.target ?? 'cpu';
  const loaded = await loadSd15Model(model, weightsPath, configPath);
  try {
    const floatType = options.floatType ?? defaultFloatType(model, target, loaded.config);
    const loraTarget = LORA_TARGET[model];
    const loras = loraTarget ? (options.loras ?? []) : [];
    return await compileGraph(
      {
        name: model,
        target,
        floatType,
        config: loaded.config,
        weightFiles: loaded.weightFiles,
        loras,
        async open() {
          const loraStores = await Promise.all(loras.map((l) => openSafetensorsStore([l.path])));
          const close = async () => void (await Promise.all(loraStores.map((s) => s.close())));
          try {
            let store = loaded.store;
            loras.forEach((l, i) => {
              store = mergeLora(store, loraStores[i], loraTarget as 'unet' | 'text_encoder', l.scale).store;
            });
            return { graph: buildSd15Graph(model, loaded.config, store, { target, floatType }), close };
          } catch (error) {
            await close();
            throw error;
          }
        },
      },
      { cacheDir: options.cacheDir },
    );
  } finally {
    await loaded.store.close();
  }
}

/** The models a path holds: a pipeline folder (unet/, vae/, text_encoder/), one component folder, or a single file. */
export function modelsIn(path: string): Sd15Model[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return ['unet', 'vae-encoder', 'vae-decoder', 'clip-text'];
  const found: Sd15Model[] = [];
  if (existsSync(join(path, 'unet'))) found.push('unet');
  if (existsSync(join(path, 'vae'))) found.push('vae-encoder', 'vae-decoder');
  if (existsSync(join(path, 'text_encoder'))) found.push('clip-text');
  if (found.length || !existsSync(join(path, 'config.json'))) return found;
  const cls = readJsonFile(join(path, 'config.json'))._class_name;
  if (cls === 'UNet2DConditionModel') return ['unet'];
  if (cls === 'AutoencoderKL') return ['vae-encoder', 'vae-decoder'];
  if (typeof cls === 'string' && cls.startsWith('CLIPTextModel')) return ['clip-text'];
  const archs = readJsonFile(join(path, 'config.json')).architectures;
  return Array.isArray(archs) && String(archs[0]).startsWith('CLIPTextModel') ? ['clip-text'] : [];
}
