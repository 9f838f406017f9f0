// Whether this machine holds the HelloMeme models (every file of the preset in the models dir), and the engine
// built from them, opening no session. Whether `auto` picks it belongs to ../auto-engine.ts.
import type { ProviderChoice } from '../../../graph/runtime.ts';
import { DEFAULT_PRESET, filesForPreset } from '../../../models/model-files.ts';
import { allModelFilesPresent } from '../../../models/models-dir.ts';
import { type ControlSource, createMotionTrackControlSource } from './control-signals.ts';
import { createHelloMemeEngine, type HelloMemeEngine, type HelloMemeEngineOptions } from './hellomeme-engine.ts';
import { modelPathsFromModelsDir } from './model-paths.ts';
import { createToolkitControlSource, faceToolkitPresent, type ToolkitControlSourceOptions } from './toolkit-control-source.ts';

/** Every file of the preset is in the models directory (what `auto` and the renderer check first). */
export function hellomemeModelsPresent(modelsDir: string, preset = DEFAULT_PRESET): Promise<boolean> {
  return allModelFilesPresent(modelsDir, filesForPreset(preset));
}

/**
 * The engine for a pulled preset (sessions open on the first job). The face toolkit and PD-FGC are foreign fp32
 * graphs with dynamic shapes: they run on CUDA when HelloMeme does, else on the CPU (WebGPU would need them bound
 * to fixed sizes, and they are a small share of a job).
 */
export async function createHelloMemeEngineFromModels(modelsDir: string, preset = DEFAULT_PRESET, options: Omit<HelloMemeEngineOptions, 'paths'> = {}): Promise<HelloMemeEngine> {
  const { cacheDir, provider, threads } = options.sessions ?? {};
  const auxiliary: ProviderChoice = provider === 'webgpu' ? 'cpu' : (provider ?? 'auto');
  const controlSource = options.controlSource ?? (await controlSourceFor(modelsDir, { cacheDir, provider: auxiliary, threads }));
  return createHelloMemeEngine({ ...options, controlSource, paths: modelPathsFromModelsDir(modelsDir, preset) });
}

/**
 * HelloMeme's face toolkit + PD-FGC when their files are in the models directory (real expressions, spec §4.1),
 * else the MotionTrack fallback (head pose only). The engine's lastRun.controlSource says which one ran.
 */
export async function controlSourceFor(modelsDir: string, options: Omit<ToolkitControlSourceOptions, 'modelsDir'> = {}): Promise<ControlSource> {
  return (await faceToolkitPresent(modelsDir)) ? createToolkitControlSource({ ...options, modelsDir }) : createMotionTrackControlSource();
}
