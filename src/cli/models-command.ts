// `memeloom models <subcommand>`: `build` compiles a diffusers folder or single-file SD1.5 checkpoint into cached
// ONNX graphs and prints what it wrote. Other subcommands (pull, list) plug into SUBCOMMANDS.
import { InputError } from '../errors.ts';
import { defaultCacheDir } from '../graph/graph-cache.ts';
import { compileSd15Model, modelsIn } from '../graph/models/sd15/compile-model.ts';
import { parseFlags } from './graph-command.ts';
import { runModelsList } from './models-list.ts';
import { runModelsPull } from './models-pull.ts';
import { isTarget, TARGETS } from '../graph/onnx/targets.ts';

const BUILD_USAGE = 'usage: memeloom models build <folder|checkpoint.safetensors> [--target cpu|cuda|webgpu] [--dtype fp32|fp16 (default: fp16 on cuda and webgpu, but fp32 for a force_upcast VAE)] [--cache-dir dir] [--lora file.safetensors[:scale]]';

function parseLora(value: string | undefined): { path: string; scale: number }[] {
  if (!value) return [];
  const m = /^(.*?)(?::(-?[\d.]+))?$/.exec(value) as RegExpExecArray;
  const scale = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isFinite(scale)) throw new InputError('BAD_OPTION', `bad LoRA scale in '${value}'`);
  return [{ path: m[1], scale }];
}

async function build(argv: string[]): Promise<number> {
  const [path, ...rest] = argv;
  if (!path || path.startsWith('--')) throw new InputError('BAD_OPTION', BUILD_USAGE);
  const flags = parseFlags(rest);
  const target = flags.target ?? 'cpu';
  if (!isTarget(target)) throw new InputError('BAD_OPTION', `--target must be ${TARGETS.join(', ')}`);
  const dtype = flags.dtype;
  if (dtype !== undefined && dtype !== 'fp32' && dtype !== 'fp16') throw new InputError('BAD_OPTION', '--dtype must be fp32 or fp16');
  const floatType = dtype === undefined ? undefined : dtype === 'fp16' ? 'float16' : 'float32';
  const models = modelsIn(path);
  if (!models.length) throw new InputError('FILE_NOT_FOUND', `no SD1.5 model found at ${path} (expected unet/, vae/, text_encoder/, a component folder or a .safetensors checkpoint)`, { path });
  const cacheDir = flags['cache-dir'] ?? defaultCacheDir();
  for (const model of models) {
    const started = Date.now();
    const compiled = await compileSd15Model(model, path, null, { cacheDir, target, floatType, loras: parseLora(flags.lora) });
    const how = compiled.fromCache ? 'cached' : `built in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    process.stdout.write(`${model}: ${compiled.modelPath} (${how}; inputs ${compiled.inputs.map((i) => i.name).join(', ')})\n`);
  }
  return 0;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { build, pull: (argv) => runModelsPull(argv), list: (argv) => runModelsList(argv) };

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const handler = sub ? SUBCOMMANDS[sub] : undefined;
  if (!handler) {
    const text = `usage: memeloom models <${Object.keys(SUBCOMMANDS).join('|')}> ...\n  ${BUILD_USAGE}\n`;
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(text);
      return 0;
    }
    process.stderr.write(sub ? `memeloom models: unknown subcommand '${sub}'\n${text}` : text);
    return sub ? 2 : 1;
  }
  return handler(rest);
}
