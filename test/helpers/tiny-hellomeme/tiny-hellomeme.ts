// Writes a tiny HelloMeme v5 model set with random weights in the official per-module layout (unet_base/,
// hm5_reference/, hm5_motion/, hm5_control_base/, hm5_control_proj/) plus a tiny VAE, CLIP text encoder,
// byte-level tokenizer and Real-ESRGAN ×2 upscaler, so the whole engine runs on CPU in seconds. Sizes only; the
// weights carry no meaning.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_ESRGAN_X2PLUS, RRDBNet, type RrdbNetConfig } from '../../../src/graph/models/esrgan/rrdbnet.ts';
import { CONTROL_MAPS, HM5ControlNetBase, HM5SD15ControlProj } from '../../../src/graph/models/hellomeme/control-net.ts';
import { HM5ReferenceAdapter } from '../../../src/graph/models/hellomeme/hooked-unet.ts';
import { unetLevelChannels } from '../../../src/graph/models/hellomeme/load-modules.ts';
import { HM5MotionAdapter } from '../../../src/graph/models/hellomeme/motion-module.ts';
import { ClipTextModel, parseClipTextConfig } from '../../../src/graph/models/sd15/clip-text.ts';
import { clipByteSymbols } from '../../../src/graph/models/sd15/clip-tokenizer.ts';
import { UNet2DConditionModel } from '../../../src/graph/models/sd15/unet.ts';
import { parseUnetConfig } from '../../../src/graph/models/sd15/unet-config.ts';
import { AutoencoderKL, parseVaeConfig } from '../../../src/graph/models/sd15/vae.ts';
import type { Module } from '../../../src/graph/nn/module.ts';
import { writeRandomParams } from './tiny-weights.ts';

/** A HelloMeme model-set plan: SD1.5 block structure with these sizes (channels multiples of 32 for the adapters). */
export interface HelloMemePlan {
  readonly unetChannels: readonly [number, number, number, number];
  readonly unetLayersPerBlock: number;
  readonly unetNormGroups: number;
  readonly crossAttentionDim: number;
  /** SmallUnetV5 channels, output channels and expression-token width (cross_attention_dim of hm5_control_base). */
  readonly controlMid: readonly [number, number, number];
  readonly controlOut: number;
  readonly controlContext: number;
  readonly vaeChannels: readonly number[];
  readonly vaeLayersPerBlock: number;
  readonly vaeNormGroups: number;
  readonly clipHidden: number;
  readonly clipLayers: number;
  readonly clipHeads: number;
  /** the Real-ESRGAN generator written to esrgan/ */
  readonly upscaler: RrdbNetConfig;
}

export const TINY_HELLOMEME_PLAN: HelloMemePlan = Object.freeze({
  unetChannels: [32, 32, 32, 32] as const,
  unetLayersPerBlock: 1,
  unetNormGroups: 8,
  crossAttentionDim: 32,
  controlMid: [32, 32, 32] as const,
  controlOut: 32,
  controlContext: 32,
  vaeChannels: [8, 16, 32, 32],
  vaeLayersPerBlock: 1,
  vaeNormGroups: 4,
  clipHidden: 32,
  clipLayers: 2,
  clipHeads: 4,
  upscaler: { channels: 3, scale: 2 as const, numFeat: 8, numBlock: 1, numGrowCh: 4 },
});

/** The real sizes (SD1.5 UNet/VAE/CLIP-L, hm5 adapters and control net per spec §2.1, §5.6), for the bench. */
export const FULL_HELLOMEME_PLAN: HelloMemePlan = Object.freeze({
  unetChannels: [320, 640, 1280, 1280] as const,
  unetLayersPerBlock: 2,
  unetNormGroups: 32,
  crossAttentionDim: 768,
  controlMid: [320, 640, 1280] as const,
  controlOut: 320,
  controlContext: 2048,
  vaeChannels: [128, 256, 512, 512],
  vaeLayersPerBlock: 2,
  vaeNormGroups: 32,
  clipHidden: 768,
  clipLayers: 12,
  clipHeads: 12,
  upscaler: REAL_ESRGAN_X2PLUS,
});

/** The folders writeTinyHelloMeme creates; HelloMemeModelPaths.fromModuleFolder reads exactly these. */
export const TINY_FOLDERS = ['unet_base', 'hm5_reference', 'hm5_motion', 'hm5_control_base', 'hm5_control_proj', 'vae', 'text_encoder', 'tokenizer', 'esrgan'] as const;

const SD15_BLOCKS = {
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
};

async function writeComponent(dir: string, config: Record<string, unknown>, module: Module, seed: number, weightsName = 'diffusion_pytorch_model.safetensors'): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(config, null, 1)}\n`);
  await writeRandomParams(join(dir, weightsName), module, seed);
}

/** A byte-level vocabulary with no merges: every text tokenizes to one id per byte. */
function writeTinyTokenizer(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const vocab: Record<string, number> = {};
  for (const ch of clipByteSymbols()) vocab[ch] = Object.keys(vocab).length;
  for (const ch of clipByteSymbols()) vocab[`${ch}</w>`] = Object.keys(vocab).length;
  vocab['<|startoftext|>'] = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = Object.keys(vocab).length;
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
  return Object.keys(vocab).length;
}

function controlModules(plan: HelloMemePlan, levels: { down: number[]; up: number[] }): { base: HM5ControlNetBase; proj: HM5SD15ControlProj } {
  const base = new HM5ControlNetBase({ inChannels: 3, midChannels: plan.controlMid, outChannels: plan.controlOut, contextDim: plan.controlContext });
  // Feature i of the control net: feat_0 = deepest mid channels … feat_3 = the output channels.
  const feat = [plan.controlMid[2], plan.controlMid[1], plan.controlMid[0], plan.controlOut];
  const target = (key: string) => {
    const [kind, i] = key.replace('3', '').split('_');
    return (kind === 'up' ? levels.up : levels.down)[Number(i)];
  };
  const sizes = new Map<string, readonly [number, number]>(CONTROL_MAPS.map(([key, name, f]) => [name, [feat[f], target(key)] as const]));
  return { base, proj: new HM5SD15ControlProj(sizes) };
}

/** esrgan/RealESRGAN_x2plus.safetensors: random RRDBNet weights under the names of the published .pth's params_ema. */
export async function writeRandomUpscaler(dir: string, seed: number, config: RrdbNetConfig): Promise<string> {
  const path = join(dir, 'esrgan', 'RealESRGAN_x2plus.safetensors');
  mkdirSync(join(dir, 'esrgan'), { recursive: true });
  await writeRandomParams(path, new RRDBNet(config), seed);
  return path;
}

/** Writes the tiny model set under `dir` (created); the same seed writes the same bytes. */
export function writeTinyHelloMeme(dir: string, seed = 101): Promise<void> {
  return writeRandomHelloMeme(dir, seed, TINY_HELLOMEME_PLAN);
}

/** Writes a random model set of any plan under `dir` in the layout modelPathsFromModuleFolder reads. */
export async function writeRandomHelloMeme(dir: string, seed: number, plan: HelloMemePlan): Promise<void> {
  const unetConfig = { _class_name: 'UNet2DConditionModel', in_channels: 4, out_channels: 4, block_out_channels: plan.unetChannels, layers_per_block: plan.unetLayersPerBlock, norm_num_groups: plan.unetNormGroups, cross_attention_dim: plan.crossAttentionDim, attention_head_dim: 8, sample_size: plan.unetChannels[0] === 320 ? 64 : 16, ...SD15_BLOCKS };
  const unet = new UNet2DConditionModel(parseUnetConfig(unetConfig));
  const levels = unetLevelChannels(unet);
  await writeComponent(join(dir, 'unet_base'), unetConfig, unet, seed);
  const adapterConfig = { block_down_channels: levels.down, block_up_channels: levels.up, num_attention_heads: 8 };
  await writeComponent(join(dir, 'hm5_reference'), { _class_name: 'HM5ReferenceAdapter', ...adapterConfig }, new HM5ReferenceAdapter(levels.up, 8), seed + 1000);
  await writeComponent(join(dir, 'hm5_motion'), { _class_name: 'HM5MotionAdapter', ...adapterConfig }, new HM5MotionAdapter(levels.down, levels.up, 8), seed + 2000);
  const control = controlModules(plan, levels);
  await writeComponent(join(dir, 'hm5_control_base'), { _class_name: 'HM5ControlNetBase', in_channels: 3, cross_attention_dim: plan.controlContext }, control.base, seed + 3000);
  await writeComponent(join(dir, 'hm5_control_proj'), { _class_name: 'HM5SD15ControlProj' }, control.proj, seed + 4000);
  const vaeConfig = { _class_name: 'AutoencoderKL', in_channels: 3, out_channels: 3, latent_channels: 4, block_out_channels: plan.vaeChannels, layers_per_block: plan.vaeLayersPerBlock, norm_num_groups: plan.vaeNormGroups, scaling_factor: 0.18215, down_block_types: plan.vaeChannels.map(() => 'DownEncoderBlock2D'), up_block_types: plan.vaeChannels.map(() => 'UpDecoderBlock2D') };
  await writeComponent(join(dir, 'vae'), vaeConfig, new AutoencoderKL(parseVaeConfig(vaeConfig)), seed + 5000);
  const vocabSize = writeTinyTokenizer(join(dir, 'tokenizer'));
  const clipConfig = { architectures: ['CLIPTextModel'], hidden_size: plan.clipHidden, intermediate_size: plan.clipHidden * 4, num_attention_heads: plan.clipHeads, num_hidden_layers: plan.clipLayers, max_position_embeddings: 77, vocab_size: vocabSize, layer_norm_eps: 1e-5, hidden_act: 'quick_gelu' };
  await writeComponent(join(dir, 'text_encoder'), clipConfig, new ClipTextModel(parseClipTextConfig(clipConfig), false), seed + 6000, 'model.safetensors');
  await writeRandomUpscaler(dir, seed + 7000, plan.upscaler);
}
