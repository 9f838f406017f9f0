// `memeloom models build`: compiles graphs into the cache ahead of the first job, which then only opens sessions.
// With --preset, every graph the HelloMeme engine needs for a pulled preset (SD1.5 parts, the v5 modules, PD-FGC,
// Real-ESRGAN) for the target it will run on, and with --style each pulled style's graphs; with a path, the SD1.5
// models a diffusers folder or single file holds.
import { InputError } from '../errors.ts';
import type { CompiledGraph } from '../graph/graph-cache.ts';
import { compileSd15Model, modelsIn } from '../graph/models/sd15/compile-model.ts';
import type { FloatType, Target } from '../graph/onnx/graph-builder.ts';
import { isTarget, TARGETS } from '../graph/onnx/targets.ts';
import { filesForPreset, STYLE_PRESETS, stylePreset } from '../models/model-files.ts';
import { allModelFilesPresent, defaultModelsDir } from '../models/models-dir.ts';
import { chooseDevice } from '../pipeline/engines/auto-engine.ts';
import { type HelloMemeModelPaths, modelPathsFromModelsDir } from '../pipeline/engines/hellomeme/model-paths.ts';
import { compileHelloMemeGraphs } from '../pipeline/engines/hellomeme/session-set.ts';
import type { StyleWeights } from '../pipeline/engines/hellomeme/style-weights.ts';
import { compileUpscalerGraph } from '../pipeline/engines/hellomeme/upscaler-session.ts';
import { parseFlags } from './graph-command.ts';
import { styleNames } from './models-args.ts';
import { modelsEnv } from './models-env.ts';
import { modelsVariables } from '../config.ts';

export const BUILD_USAGE = `usage: memeloom models build --preset NAME [--dir D] [--target ${TARGETS.join('|')}] [--cache-dir dir] [--style NAME[,NAME]|all]
       memeloom models build <folder|checkpoint.safetensors> [--target ${TARGETS.join('|')}] [--dtype fp32|fp16] [--cache-dir dir] [--lora file.safetensors[:scale]]
  --preset compiles every graph HelloMeme needs for a pulled preset (default target: the device the engine would
  pick here, a GPU provider that runs, else the CPU), and --style the styled graphs of pulled LoRA styles (all: every
  pulled one; each adds a styled text encoder and both denoisers); a path compiles the SD1.5 models it holds (fp16
  on cuda and webgpu, but fp32 for a force_upcast VAE, unless --dtype says otherwise).`;

function parseTarget(value: string | undefined): Target | undefined {
  if (value === undefined) return undefined;
  if (!isTarget(value)) throw new InputError('BAD_OPTION', `--target must be ${TARGETS.join(', ')}`);
  return value;
}

function parseLora(value: string | undefined): { path: string; scale: number }[] {
  if (!value) return [];
  const m = /^(.*?)(?::(-?[\d.]+))?$/.exec(value) as RegExpExecArray;
  const scale = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isFinite(scale)) throw new InputError('BAD_OPTION', `bad LoRA scale in '${value}'`);
  return [{ path: m[1], scale }];
}

function printGraph(name: string, graph: CompiledGraph, ms: number): void {
  const how = graph.fromCache ? 'cached' : `built in ${(ms / 1000).toFixed(1)} s`;
  process.stdout.write(`${name}: ${graph.modelPath} (${how}; inputs ${graph.inputs.map((i) => i.name).join(', ')})\n`);
}

/** The pulled styles `--style` names ('all': every pulled one); a style not pulled is an error that says how to pull it. */
function stylesToBuild(value: string | undefined, paths: HelloMemeModelPaths): StyleWeights[] {
  const names = styleNames(value);
  const ids = names.includes('all') ? STYLE_PRESETS.map((s) => s.id).filter((id) => paths.styles?.[id]) : names.map((name) => stylePreset(name).id);
  return ids.map((id) => {
    const loraPath = paths.styles?.[id];
    if (!loraPath) throw new InputError('FILE_NOT_FOUND', `the '${id}' style is not pulled; run \`memeloom models pull --style ${id}\` first`);
    return { id, loraPath };
  });
}

async function buildPreset(preset: string, flags: Record<string, string>): Promise<number> {
  const modelsDir = flags.dir ?? defaultModelsDir(modelsEnv(modelsVariables()));
  if (!(await allModelFilesPresent(modelsDir, filesForPreset(preset)))) {
    throw new InputError('FILE_NOT_FOUND', `the ${preset} preset is not fully in ${modelsDir}; run \`memeloom models pull --preset ${preset}\` first`, { modelsDir });
  }
  const target = parseTarget(flags.target) ?? (await chooseDevice('auto')).device;
  const cacheDir = flags['cache-dir'];
  const paths = modelPathsFromModelsDir(modelsDir, preset);
  const styles = stylesToBuild(flags.style, paths);
  await compileHelloMemeGraphs(paths, { target, cacheDir, onGraph: printGraph });
  for (const style of styles) {
    // The unstyled graphs are cached by now; each style adds its text encoder and both denoiser variants.
    await compileHelloMemeGraphs(paths, { target, cacheDir, style, onGraph: (name, graph, ms) => printGraph(`${style.id}/${name}`, graph, ms) });
  }
  if (paths.upscaler) {
    const started = performance.now();
    const { compiled } = await compileUpscalerGraph(paths.upscaler, { target, cacheDir });
    printGraph('esrgan', compiled, performance.now() - started);
  }
  return 0;
}

async function buildPath(path: string, flags: Record<string, string>): Promise<number> {
  const target = parseTarget(flags.target) ?? 'cpu';
  const dtype = flags.dtype;
  if (dtype !== undefined && dtype !== 'fp32' && dtype !== 'fp16') throw new InputError('BAD_OPTION', '--dtype must be fp32 or fp16');
  const floatType: FloatType | undefined = dtype === undefined ? undefined : dtype === 'fp16' ? 'float16' : 'float32';
  const models = modelsIn(path);
  if (!models.length) throw new InputError('FILE_NOT_FOUND', `no SD1.5 model found at ${path} (expected unet/, vae/, text_encoder/, a component folder or a .safetensors checkpoint)`, { path });
  for (const model of models) {
    const started = performance.now();
    const compiled = await compileSd15Model(model, path, null, { cacheDir: flags['cache-dir'], target, floatType, loras: parseLora(flags.lora) });
    printGraph(model, compiled, performance.now() - started);
  }
  return 0;
}

export async function runModelsBuild(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(`${BUILD_USAGE}\n`);
    return 0;
  }
  if (!first) throw new InputError('BAD_OPTION', BUILD_USAGE);
  if (first.startsWith('--')) {
    const flags = parseFlags(argv);
    if (flags.preset === undefined) throw new InputError('BAD_OPTION', `give --preset NAME or a path\n${BUILD_USAGE}`);
    return buildPreset(flags.preset, flags);
  }
  return buildPath(first, parseFlags(rest));
}
