// Loads weights + config for one SD1.5 model from what a user points at (file, component folder, pipeline
// folder, single-file ldm checkpoint), converting other key layouts (ldm, OpenAI CLIP) to diffusers/HF names.
import { InputError } from '../../../errors.ts';
import { convertOpenaiClipNames, isOpenaiClipLayout } from '../../weights/clip-openai-names.ts';
import { isLdmCheckpoint, ldmPart } from '../../weights/ldm-checkpoint.ts';
import { openComponent, readJsonFile, resolveComponent } from '../../weights/model-folder.ts';
import type { WeightStore } from '../../weights/weight-store.ts';
import type { Sd15Model } from './build-graph.ts';
import { SD15_CLIP_TEXT_CONFIG, SD15_UNET_CONFIG, SD15_VAE_CONFIG } from './default-configs.ts';

const SUBFOLDER: Record<Sd15Model, string> = { unet: 'unet', 'vae-encoder': 'vae', 'vae-decoder': 'vae', 'clip-text': 'text_encoder' };
const DEFAULT_CONFIG: Record<Sd15Model, Record<string, unknown>> = { unet: SD15_UNET_CONFIG, 'vae-encoder': SD15_VAE_CONFIG, 'vae-decoder': SD15_VAE_CONFIG, 'clip-text': SD15_CLIP_TEXT_CONFIG };

interface LoadedModel {
  readonly store: WeightStore;
  readonly config: Record<string, unknown>;
  readonly weightFiles: readonly string[];
  /** null when the built-in SD1.5 config was used (single-file checkpoint without --config) */
  readonly configFile: string | null;
}

/** Renames a single-file checkpoint's part for `model`; layers_per_block comes from the config. */
function fromLdm(model: Sd15Model, store: WeightStore, config: Record<string, unknown>): WeightStore {
  if (model === 'unet') {
    const layers = config.layers_per_block;
    if (Array.isArray(layers)) throw new InputError('UNSUPPORTED_FORMAT', 'single-file checkpoints need one layers_per_block for all blocks');
    return ldmPart(store, 'unet', { layersPerBlock: (layers as number) ?? 2 });
  }
  if (model === 'clip-text') return ldmPart(store, 'clip');
  return ldmPart(store, 'vae', { vaeLevels: (config.block_out_channels as number[] | undefined)?.length });
}

export async function loadSd15Model(model: Sd15Model, weightsPath: string, configPath: string | null): Promise<LoadedModel> {
  const files = resolveComponent(weightsPath, configPath, SUBFOLDER[model]);
  let store = await openComponent(files);
  try {
    const ldm = isLdmCheckpoint(store);
    if (!files.config && !ldm) throw new InputError('BAD_OPTION', `no config for ${model}: pass --config (no config.json next to ${weightsPath})`);
    const config = files.config ? readJsonFile(files.config) : DEFAULT_CONFIG[model];
    if (ldm) store = fromLdm(model, store, config);
    else if (model === 'clip-text' && isOpenaiClipLayout(store)) store = convertOpenaiClipNames(store);
    return { store, config, weightFiles: files.weights, configFile: files.config };
  } catch (error) {
    await store.close();
    throw error;
  }
}
