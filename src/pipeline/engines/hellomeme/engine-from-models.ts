// Decides whether this machine can offer the HelloMeme engine (every file of the preset in the models dir) and
// whether `auto` should pick it (also a GPU execution provider); creates the engine lazily, opening no session.
import { DEFAULT_PRESET, filesForPreset } from '../../../models/model-files.ts';
import { allModelFilesPresent } from '../../../models/models-dir.ts';
import type { EngineName } from '../../meme-spec.ts';
import { type ControlSource, createMotionTrackControlSource } from './control-signals.ts';
import { createHelloMemeEngine, type HelloMemeEngine, type HelloMemeEngineOptions } from './hellomeme-engine.ts';
import { modelPathsFromModelsDir } from './model-paths.ts';
import { createToolkitControlSource, faceToolkitPresent, type ToolkitControlSourceOptions } from './toolkit-control-source.ts';

/** The engine for a pulled preset, or null when any of its files is missing (sessions open on the first job). */
export async function hellomemeEngineIfPresent(modelsDir: string, preset = DEFAULT_PRESET, options: Omit<HelloMemeEngineOptions, 'paths'> = {}): Promise<HelloMemeEngine | null> {
  if (!(await allModelFilesPresent(modelsDir, filesForPreset(preset)))) return null;
  const { cacheDir, provider, threads } = options.sessions ?? {};
  const controlSource = options.controlSource ?? (await controlSourceFor(modelsDir, { cacheDir, provider, threads }));
  return createHelloMemeEngine({ ...options, controlSource, paths: modelPathsFromModelsDir(modelsDir, preset) });
}

/**
 * HelloMeme's face toolkit + PD-FGC when their files are in the models directory (real expressions, spec §4.1),
 * else the MotionTrack fallback (head pose only). The engine's lastRun.controlSource says which one ran.
 */
export async function controlSourceFor(modelsDir: string, options: Omit<ToolkitControlSourceOptions, 'modelsDir'> = {}): Promise<ControlSource> {
  return (await faceToolkitPresent(modelsDir)) ? createToolkitControlSource({ ...options, modelsDir }) : createMotionTrackControlSource();
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
