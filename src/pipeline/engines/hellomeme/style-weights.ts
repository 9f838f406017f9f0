// A LoRA style baked into HelloMeme's graphs when they are built, as HelloMeme's stylize x1 loads one
// (hellomeme/utils.py append_pipline_weights → load_lora_weights_sk): the denoising UNet gets the LoRA at 1.0 and the
// main text encoder at the style scale; the reference UNet, the reference text encoder and both VAEs stay base
// SD1.5, so the reference features and keyframe pads are unstyled. W' = W + scale · (alpha / rank) · up · down.
import { MemeError } from '../../../errors.ts';
import type { Hm5Part } from '../../../graph/models/hellomeme/load-modules.ts';
import type { LoraSpec } from '../../../graph/models/sd15/compile-model.ts';
import { mergeLora, unreadLoraKeys } from '../../../graph/weights/lora-merge.ts';
import { openSafetensorsStore } from '../../../graph/weights/weight-store.ts';
import { STYLE_TEXT_ENCODER_SCALE, STYLE_UNET_SCALE } from '../../../models/model-files.ts';

export interface StyleWeights {
  /** The style id (model-files.ts STYLE_PRESETS). */
  readonly id: string;
  /** Its LoRA .safetensors (kohya or diffusers names). */
  readonly loraPath: string;
}

/** The main text encoder's LoRA, for compileSd15Model('clip-text', …, { loras }). */
export function textEncoderLora(style: StyleWeights): LoraSpec {
  return { path: style.loraPath, scale: STYLE_TEXT_ENCODER_SCALE };
}

/** The denoising UNet's LoRA: its file and scale are part of the graph's cache key (graph/compile-graph.ts). */
export function unetLora(style: StyleWeights): LoraSpec {
  return { path: style.loraPath, scale: STYLE_UNET_SCALE };
}

/** unet_base with the style merged in (weights are merged lazily, when the graph is written). close() releases the LoRA file. */
export async function styledUnetPart(unet: Hm5Part, style: StyleWeights): Promise<{ part: Hm5Part; close(): Promise<void> }> {
  const lora = await openSafetensorsStore([style.loraPath]);
  try {
    const unread = unreadLoraKeys(lora);
    if (unread.length) throw new MemeError('BAD_WEIGHTS', `style ${style.id}: ${style.loraPath} holds weights a LoRA merge cannot use (${unread.slice(0, 6).join(', ')}${unread.length > 6 ? ', …' : ''}); only lora_down/lora_up/alpha (kohya) or lora_A/lora_B (diffusers) LoRAs are styles`, { unread });
    const { store, merged } = mergeLora(unet.store, lora, 'unet', STYLE_UNET_SCALE);
    if (merged.length === 0) throw new MemeError('BAD_WEIGHTS', `style ${style.id}: ${style.loraPath} has no UNet LoRA weights (lora_unet_… or unet.…)`);
    return { part: { ...unet, store }, close: () => lora.close() };
  } catch (error) {
    await lora.close();
    throw error;
  }
}
