// Whether this machine holds the HelloMeme models (every file of the preset in the models dir), and the engine
// built from them, opening no session. Whether `auto` picks it belongs to ../auto-engine.ts.
import { DEFAULT_PRESET, filesForPreset } from '../../../models/model-files.ts';
import { allModelFilesPresent } from '../../../models/models-dir.ts';
import { createHelloMemeEngine, type HelloMemeEngine, type HelloMemeEngineOptions } from './hellomeme-engine.ts';
import { modelPathsFromModelsDir } from './model-paths.ts';

/** Every file of the preset is in the models directory (what `auto` and the renderer check first). */
export function hellomemeModelsPresent(modelsDir: string, preset = DEFAULT_PRESET): Promise<boolean> {
  return allModelFilesPresent(modelsDir, filesForPreset(preset));
}

/** The engine for a pulled preset (sessions open on the first job). */
export function createHelloMemeEngineFromModels(modelsDir: string, preset = DEFAULT_PRESET, options: Omit<HelloMemeEngineOptions, 'paths'> = {}): HelloMemeEngine {
  return createHelloMemeEngine({ ...options, paths: modelPathsFromModelsDir(modelsDir, preset) });
}
