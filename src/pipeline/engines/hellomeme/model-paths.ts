// Where each component of the HelloMeme engine lives on disk: either a models directory in the hub layout that
// `models pull` fills (<dir>/<owner>/<repo>/<folder>), or one folder in the official per-module layout (the tiny
// tool's output). Paths only; opening and compiling is session-set.ts's job.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../../errors.ts';
import { BASE_SD15_REPO, checkpointRepo, DEFAULT_PRESET, PD_FGC_REPO, STYLE_PRESETS, UPSCALER_FILE } from '../../../models/model-files.ts';

/** Component folders (config.json + safetensors), the tokenizer folder (vocab.json + merges.txt). */
export interface HelloMemeModelPaths {
  /** The reference UNet (base SD1.5 with stylize x1): reference features and keyframe pads. */
  readonly referenceUnet: string;
  /** The checkpoint's UNet: the denoiser the adapters hook into. */
  readonly denoiseUnet: string;
  readonly referenceAdapter: string;
  readonly motionAdapter: string;
  readonly controlBase: string;
  readonly controlProj: string;
  /** Encoding VAE (base SD1.5 in x1) and decoding VAE (the checkpoint's). */
  readonly vaeEncoder: string;
  readonly vaeDecoder: string;
  readonly textEncoder: string;
  readonly tokenizer: string;
  /** Real-ESRGAN ×2 weights (.pth as published, or .safetensors); absent: the engine cannot upscale. */
  readonly upscaler?: string;
  /** The PD-FGC expression encoder folder; absent: the driver's expressions stay zero. */
  readonly pdFgc?: string;
  /** The LoRA file of each style present, by style id (optional; a job asking for another style is refused). */
  readonly styles?: Readonly<Record<string, string>>;
}

function checkFolders(paths: HelloMemeModelPaths): HelloMemeModelPaths {
  const missing = Object.entries(paths).filter(([key, p]) => key !== 'styles' && !existsSync(p));
  if (missing.length) {
    throw new InputError('FILE_NOT_FOUND', `HelloMeme model folders missing: ${missing.map(([k, p]) => `${k} (${p})`).join(', ')}`, { missing: missing.map(([, p]) => p) });
  }
  return paths;
}

/** Real-ESRGAN weights under esrgan/ in a module folder, as published (.pth) or as the tiny tool writes them. */
function upscalerIn(folder: string): { upscaler?: string } {
  const stem = path.join(folder, 'esrgan', path.parse(UPSCALER_FILE.path).name);
  const found = ['.pth', '.safetensors'].map((ext) => stem + ext).find((p) => existsSync(p));
  return found ? { upscaler: found } : {};
}

/** A PD-FGC encoder folder pd_fgc/ in a module folder, when there is one. */
function pdFgcIn(folder: string): { pdFgc?: string } {
  const found = path.join(folder, 'pd_fgc');
  return existsSync(found) ? { pdFgc: found } : {};
}

/** The styles whose LoRA file `fileOf` finds on disk, by style id. */
function stylesPresent(fileOf: (file: string) => string): { styles?: Record<string, string> } {
  const styles = Object.fromEntries(STYLE_PRESETS.map((s) => [s.id, fileOf(s.file.path)] as const).filter(([, p]) => existsSync(p)));
  return Object.keys(styles).length ? { styles } : {};
}

/**
 * One folder holding unet_base/, hm5_reference/, hm5_motion/, hm5_control_base/, hm5_control_proj/, vae/,
 * text_encoder/, tokenizer/, and optionally esrgan/RealESRGAN_x2plus.{pth,safetensors}, pd_fgc/ and
 * loras/<style file>.
 */
export function modelPathsFromModuleFolder(folder: string): HelloMemeModelPaths {
  const at = (name: string) => path.join(folder, name);
  return checkFolders({
    ...upscalerIn(folder),
    ...pdFgcIn(folder),
    ...stylesPresent((file) => at(path.join('loras', file))),
    referenceUnet: at('unet_base'),
    denoiseUnet: at('unet_base'),
    referenceAdapter: at('hm5_reference'),
    motionAdapter: at('hm5_motion'),
    controlBase: at('hm5_control_base'),
    controlProj: at('hm5_control_proj'),
    vaeEncoder: at('vae'),
    vaeDecoder: at('vae'),
    textEncoder: at('text_encoder'),
    tokenizer: at('tokenizer'),
  });
}

/** The models directory as `models pull --preset <preset>` leaves it (spec §2.1: x1 stylize). */
export function modelPathsFromModelsDir(modelsDir: string, preset: string = DEFAULT_PRESET): HelloMemeModelPaths {
  const repoDir = (repo: string, ...folder: string[]) => path.join(path.resolve(modelsDir), ...repo.split('/'), ...folder);
  const checkpoint = checkpointRepo(preset);
  return checkFolders({
    referenceUnet: repoDir(BASE_SD15_REPO, 'unet'),
    denoiseUnet: repoDir(checkpoint, 'unet'),
    referenceAdapter: repoDir('songkey/hm5_reference'),
    motionAdapter: repoDir('songkey/hm5_motion'),
    controlBase: repoDir('songkey/hm5_control_base'),
    controlProj: repoDir('songkey/hm5_control_proj'),
    vaeEncoder: repoDir(BASE_SD15_REPO, 'vae'),
    vaeDecoder: repoDir(checkpoint, 'vae'),
    textEncoder: repoDir(BASE_SD15_REPO, 'text_encoder'),
    tokenizer: repoDir(BASE_SD15_REPO, 'tokenizer'),
    upscaler: repoDir(UPSCALER_FILE.repo, UPSCALER_FILE.path),
    pdFgc: repoDir(PD_FGC_REPO),
    ...stylesPresent((file) => repoDir(STYLE_PRESETS[0].file.repo, file)),
  });
}
