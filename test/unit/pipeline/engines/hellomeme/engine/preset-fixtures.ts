// The tiny HelloMeme models laid out as `memeloom models pull --preset realistic --style ghibli` lays out the real
// ones (each repo's files under its own folder), with a random tiny LoRA as the ghibli style.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { BASE_SD15_REPO, checkpointRepo, STYLE_REPO, stylePreset, UPSCALER_FILE } from '../../../../../../src/models/model-files.ts';
import { writeRandomLora } from '../../../../../helpers/tiny-hellomeme/tiny-lora.ts';
import { golden } from '../../../../../graph/golden-helpers.ts';
import { tinyModelDir } from './engine-fixtures.ts';
import { writeFaceToolkitModels } from './toolkit-fixtures.ts';

/** The tiny model set copied where `models pull --preset realistic` puts each repo's files. */
export async function tinyPresetDir(dir: string): Promise<void> {
  const tiny = await tinyModelDir();
  const repo = (name: string, ...sub: string[]) => path.join(dir, ...name.split('/'), ...sub);
  const copy = (from: string, to: string) => cpSync(path.join(tiny.models, from), to, { recursive: true });
  copy('text_encoder', repo(BASE_SD15_REPO, 'text_encoder'));
  copy('tokenizer', repo(BASE_SD15_REPO, 'tokenizer'));
  copy('unet_base', repo(BASE_SD15_REPO, 'unet'));
  copy('vae', repo(BASE_SD15_REPO, 'vae'));
  copy('unet_base', repo(checkpointRepo('realistic'), 'unet'));
  copy('vae', repo(checkpointRepo('realistic'), 'vae'));
  for (const module of ['hm5_reference', 'hm5_motion', 'hm5_control_base', 'hm5_control_proj']) copy(module, repo(`songkey/${module}`));
  cpSync(golden('esrgan_x2_tiny', 'weights.pth'), repo(UPSCALER_FILE.repo, UPSCALER_FILE.path));
  await writeFaceToolkitModels(dir);
  const textEncoder = path.join(tiny.models, 'text_encoder', 'model.safetensors');
  await writeRandomLora(repo(STYLE_REPO, stylePreset('ghibli').file.path), { unet: path.join(tiny.models, 'unet_base', 'diffusion_pytorch_model.safetensors'), textEncoder }, 8100);
}
