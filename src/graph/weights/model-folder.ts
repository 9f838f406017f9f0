// Finds weights and config for one model: a .safetensors file, a diffusers component folder (unet/, vae/,
// text_encoder/ with config.json + *.safetensors shards), or a whole pipeline folder. Reads JSON, opens stores.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.ts';
import { type WeightStore, openSafetensorsStore } from './weight-store.ts';

export function readJsonFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new InputError('FILE_NOT_FOUND', `config not found: ${path}`, { path });
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new InputError('BAD_OPTION', `${path} is not valid JSON: ${(error as Error).message}`, { path });
  }
}

/** The .safetensors files of a component folder, preferring the fp32 ones over `.fp16.` variants. */
function safetensorsIn(folder: string): string[] {
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.safetensors'))
    .sort();
  const full = files.filter((f) => !f.includes('.fp16.'));
  return (full.length ? full : files).map((f) => join(folder, f));
}

interface ComponentFiles {
  readonly weights: string[];
  readonly config: string | null;
}

/** Resolves `--weights` (file or folder) and `--config` (optional) to concrete files. */
export function resolveComponent(weightsPath: string, configPath: string | null, subfolder?: string): ComponentFiles {
  if (!existsSync(weightsPath)) throw new InputError('FILE_NOT_FOUND', `weights not found: ${weightsPath}`, { path: weightsPath });
  if (statSync(weightsPath).isFile()) return { weights: [weightsPath], config: configPath };
  let folder = weightsPath;
  if (subfolder && existsSync(join(folder, subfolder)) && statSync(join(folder, subfolder)).isDirectory()) folder = join(folder, subfolder);
  const weights = safetensorsIn(folder);
  if (!weights.length) throw new InputError('FILE_NOT_FOUND', `no .safetensors weights in ${folder}`, { path: folder });
  const config = configPath ?? (existsSync(join(folder, 'config.json')) ? join(folder, 'config.json') : null);
  return { weights, config };
}

export async function openComponent(files: ComponentFiles): Promise<WeightStore> {
  return openSafetensorsStore(files.weights);
}
