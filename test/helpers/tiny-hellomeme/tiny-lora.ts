// Writes a random LoRA style for a model set in kohya's naming (lora_unet_… / lora_te_… with .lora_down.weight,
// .lora_up.weight and .alpha), the format songkey/loras_sd_1_5 ships, so the style path (merged into the graphs at
// build time) runs on the tiny models. It covers what SD1.5 LoRAs train: attention projections, the transformers'
// proj_in / proj_out, one 3×3 resnet conv (LoCon) and the text encoder's attention and MLP. Sizes only.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeSafetensors } from '../../../src/graph/weights/safetensors-writer.ts';
import { SafetensorsFile } from '../../../src/graph/weights/safetensors.ts';
import { stylePreset } from '../../../src/models/model-files.ts';
import { seededNormals } from './tiny-weights.ts';

const UNET_TARGETS = /(attn[12]\.to_(q|k|v|out\.0)|proj_in|proj_out|down_blocks\.0\.resnets\.0\.conv1)\.weight$/;
const TEXT_TARGETS = /(self_attn\.(q|k|v|out)_proj|mlp\.fc[12])\.weight$/;

async function shapesOf(path: string, targets: RegExp): Promise<[string, number[]][]> {
  return SafetensorsFile.with(path, async (f) => [...f.tensors.values()].filter((t) => targets.test(t.name)).map((t) => [t.name, [...t.shape]] as [string, number[]]));
}

/**
 * lora_down [r, in, kh, kw] (the kernel stays in down, as kohya's LoCon stores it), lora_up [out, r, 1, 1] (or
 * [out, r] for linear weights), alpha = r / 2 so the alpha / rank factor is exercised. Returns the module count.
 */
export async function writeRandomLora(path: string, weights: { unet: string; textEncoder: string }, seed: number, rank = 4): Promise<number> {
  const modules = [
    ...(await shapesOf(weights.unet, UNET_TARGETS)).map(([name, shape]) => ({ key: `lora_unet_${name.slice(0, -'.weight'.length).replace(/\./g, '_')}`, shape })),
    ...(await shapesOf(weights.textEncoder, TEXT_TARGETS)).map(([name, shape]) => ({ key: `lora_te_${name.slice(0, -'.weight'.length).replace(/\./g, '_')}`, shape })),
  ];
  const tensors = modules.flatMap(({ key, shape }, i) => {
    const [out, ...rest] = shape;
    const inner = rest.reduce((a, b) => a * b, 1);
    const s = seed + 10 * i;
    return [
      { name: `${key}.lora_down.weight`, dtype: 'F32' as const, shape: [rank, ...rest], data: seededNormals(rank * inner, s, 1 / Math.sqrt(inner)) },
      { name: `${key}.lora_up.weight`, dtype: 'F32' as const, shape: rest.length > 1 ? [out, rank, 1, 1] : [out, rank], data: seededNormals(out * rank, s + 1, 1 / Math.sqrt(rank)) },
      { name: `${key}.alpha`, dtype: 'F32' as const, shape: [], data: Float32Array.of(rank / 2) },
    ];
  });
  mkdirSync(dirname(path), { recursive: true });
  await writeSafetensors(path, tensors);
  return modules.length;
}

/** A random LoRA for `style` under `<dir>/loras/` (where modelPathsFromModuleFolder finds it) for a model set in `dir`. */
export async function writeTinyStyle(dir: string, style: string, seed: number): Promise<string> {
  const { file } = stylePreset(style);
  const path = join(dir, 'loras', file.path);
  await writeRandomLora(path, { unet: join(dir, 'unet_base', 'diffusion_pytorch_model.safetensors'), textEncoder: join(dir, 'text_encoder', 'model.safetensors') }, seed);
  return path;
}
