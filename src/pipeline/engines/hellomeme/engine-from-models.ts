// Decides whether this machine can offer the HelloMeme engine (every file of the preset in the models dir) and
// whether `auto` should pick it (also a GPU execution provider); creates the engine lazily, opening no session.
import { DEFAULT_PRESET, filesForPreset } from '../../../models/model-files.ts';
import { allModelFilesPresent } from '../../../models/models-dir.ts';
import type { EngineName } from '../../meme-spec.ts';
import { createHelloMemeEngine, type HelloMemeEngine, type HelloMemeEngineOptions } from './hellomeme-engine.ts';
import { modelPathsFromModelsDir } from './model-paths.ts';

/** The engine for a pulled preset, or null when any of its files is missing (sessions open on the first job). */
export async function hellomemeEngineIfPresent(modelsDir: string, preset = DEFAULT_PRESET, options: Omit<HelloMemeEngineOptions, 'paths'> = {}): Promise<HelloMemeEngine | null> {
  if (!(await allModelFilesPresent(modelsDir, filesForPreset(preset)))) return null;
  return createHelloMemeEngine({ ...options, paths: modelPathsFromModelsDir(modelsDir, preset) });
}

export interface AutoEngineChoice {
  engine: EngineName;
  reason: string;
}

/** `render --engine auto`: hellomeme only with its models and a GPU (CPU diffusion takes hours), else warp. */
export function chooseAutoEngine(hellomemeAvailable: boolean, gpu: boolean): AutoEngineChoice {
  if (!hellomemeAvailable) return { engine: 'warp', reason: 'HelloMeme models are not in the models directory (memeloom models pull)' };
  if (!gpu) return { engine: 'warp', reason: 'no GPU execution provider (CUDA) for HelloMeme; use --engine hellomeme to run it on CPU' };
  return { engine: 'hellomeme', reason: 'HelloMeme models present and CUDA available' };
}
