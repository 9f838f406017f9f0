// `memeloom graph run|build`: builds an SD1.5 or HelloMeme v5 model graph from safetensors + config, then runs
// it on the tensors of an inputs file (writing every output) or writes the .onnx. Argument parsing and file IO only.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.ts';
import { buildHm5Graph, buildPdFgcGraph } from '../graph/models/hellomeme/build-graph.ts';
import { HM5_MODELS, type Hm5Model, isHm5Model, loadHm5Modules, loadPdFgcEncoder } from '../graph/models/hellomeme/load-modules.ts';
import { buildSd15Graph, isSd15Model, SD15_MODELS, type Sd15Model } from '../graph/models/sd15/build-graph.ts';
import { loadSd15Model } from '../graph/models/sd15/load-model.ts';
import type { GraphBuilder } from '../graph/onnx/graph-builder.ts';
import { writeModelExternal } from '../graph/onnx/model-writer.ts';
import { createSession, type HostTensor } from '../graph/runtime.ts';
import { SafetensorsFile } from '../graph/weights/safetensors.ts';
import { writeSafetensors } from '../graph/weights/safetensors-writer.ts';
import { isTarget, TARGETS } from '../graph/onnx/targets.ts';
import { defaultFloatType } from '../graph/models/sd15/compile-model.ts';
import { HM5_LOOP_MODEL, HM5_LOOP_USAGE, runHm5LoopCommand } from './graph-loop-command.ts';
import { withModelFile } from './graph-model-file.ts';

const PD_FGC_MODEL = 'pd-fgc';
const ALL_MODELS = [...SD15_MODELS, ...HM5_MODELS, PD_FGC_MODEL, HM5_LOOP_MODEL];

const USAGE = `usage:
  memeloom graph run --model <${ALL_MODELS.join('|')}> --weights <file|folder> [--config config.json]
                     --inputs in.safetensors --out out.safetensors
  memeloom graph build --model <name> --weights <file|folder> [--config config.json] --out model.onnx
                     [--target cpu|cuda|webgpu] [--dtype fp32|fp16] [--pad yes|no (hm5-denoise)]
  hm5-* models take --weights <folder> holding unet_base/, hm5_reference/, hm5_motion/, hm5_control_base/,
  hm5_control_proj/ (official layout); hm5-denoise runs the keyframe-pad path when the inputs hold pad.*; hm5-control takes pd_fpg (cntrl2)
  or drive_coeff + face_parts (cntrl1); pd-fgc takes --weights <pd_fgc_motion folder> and image [N,3,224,224]
${HM5_LOOP_USAGE}`;

export function parseFlags(argv: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new InputError('BAD_OPTION', `unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new InputError('BAD_OPTION', `${arg} needs a value`);
      flags[arg.slice(2)] = value;
      i += 1;
    }
  }
  return flags;
}

function need(flags: Record<string, string>, name: string): string {
  const v = flags[name];
  if (!v) throw new InputError('BAD_OPTION', `missing --${name}\n${USAGE}`);
  return v;
}

type AnyModel = Sd15Model | Hm5Model | typeof PD_FGC_MODEL | typeof HM5_LOOP_MODEL;

function modelFlag(flags: Record<string, string>): AnyModel {
  const model = need(flags, 'model');
  if (!isSd15Model(model) && !isHm5Model(model) && model !== PD_FGC_MODEL && model !== HM5_LOOP_MODEL) throw new InputError('BAD_OPTION', `unknown --model '${model}' (expected ${ALL_MODELS.join(', ')})`);
  return model;
}

/** Reads every tensor of the inputs file: int64 for input_ids, float32 otherwise. */
async function readInputs(path: string, model: AnyModel): Promise<Record<string, HostTensor>> {
  return SafetensorsFile.with(path, async (file) => {
    const feeds: Record<string, HostTensor> = {};
    for (const info of file.tensors.values()) {
      const dims = [...info.shape];
      if (model === 'clip-text' && info.name === 'input_ids') feeds[info.name] = { elem: 'int64', dims, data: await file.readInt64(info.name) };
      else feeds[info.name] = { elem: 'float32', dims, data: await file.readFloat32(info.name) };
    }
    return feeds;
  });
}

/** A scalar or [1] timestep is broadcast over the batch, as diffusers does. */
function broadcastTimestep(feeds: Record<string, HostTensor>): void {
  const t = feeds.timestep;
  const sample = feeds.sample;
  if (!t || !sample || t.data.length !== 1) return;
  const batch = sample.dims[0];
  feeds.timestep = { elem: 'float32', dims: [batch], data: new Float32Array(batch).fill(Number(t.data[0])) };
}

/** Runs the graph on the feeds and writes every output as float32 to outPath. */
async function runAndWrite(g: GraphBuilder, feeds: Record<string, HostTensor>, outPath: string): Promise<void> {
  const session = await withModelFile(g, (model) => createSession(model, { provider: 'cpu', inputs: g.inputs }));
  try {
    const result = await session.run(feeds);
    mkdirSync(dirname(outPath), { recursive: true });
    const tensors = Object.entries(result).map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.dims, data: t.data as Float32Array }));
    await writeSafetensors(outPath, tensors);
    for (const t of tensors) process.stdout.write(`${t.name} [${t.shape.join(', ')}]\n`);
  } finally {
    await session.dispose();
  }
}

/** hm5-denoise reads only the up-level reference maps; the down-level ones the cases carry are dropped. */
const HM5_UNUSED_INPUT = /^ref_cache\.down_\d+$/;

async function runHm5Command(model: Hm5Model, flags: Record<string, string>): Promise<number> {
  if (flags.config) throw new InputError('BAD_OPTION', `${model} reads each module's config.json from --weights; --config is not used`);
  const feeds = await readInputs(need(flags, 'inputs'), model);
  const modules = await loadHm5Modules(model, need(flags, 'weights'));
  try {
    const withPad = model === 'hm5-denoise' && Object.keys(feeds).some((n) => n.startsWith('pad.'));
    if (model === 'hm5-denoise') for (const name of Object.keys(feeds)) if (HM5_UNUSED_INPUT.test(name)) delete feeds[name];
    // cntrl1 (ARKit coefficients + face parts) when the inputs carry them instead of pd_fpg.
    const expression = 'drive_coeff' in feeds ? 'arkit' : 'pd_fpg';
    await runAndWrite(buildHm5Graph(model, modules, { target: 'cpu', withPad, expression }), feeds, need(flags, 'out'));
  } finally {
    await modules.close();
  }
  return 0;
}

/** pd-fgc: `image` [N,3,224,224] (aligned RGB face in [-1, 1]) → `pd_fpg` [N,548]. */
async function runPdFgcCommand(flags: Record<string, string>): Promise<number> {
  const feeds = await readInputs(need(flags, 'inputs'), PD_FGC_MODEL);
  const loaded = await loadPdFgcEncoder(need(flags, 'weights'));
  try {
    await runAndWrite(buildPdFgcGraph(loaded.encoder, { target: 'cpu' }), feeds, need(flags, 'out'));
  } finally {
    await loaded.close();
  }
  return 0;
}

async function runCommand(flags: Record<string, string>): Promise<number> {
  const model = modelFlag(flags);
  if (model === HM5_LOOP_MODEL) return runHm5LoopCommand(flags, (name) => need(flags, name));
  if (isHm5Model(model)) return runHm5Command(model, flags);
  if (model === PD_FGC_MODEL) return runPdFgcCommand(flags);
  const outPath = need(flags, 'out');
  const inputs = need(flags, 'inputs');
  const loaded = await loadSd15Model(model, need(flags, 'weights'), flags.config ?? null);
  try {
    const g = buildSd15Graph(model, loaded.config, loaded.store, { target: 'cpu' });
    const feeds = await readInputs(inputs, model);
    if (model === 'unet') broadcastTimestep(feeds);
    await runAndWrite(g, feeds, outPath);
  } finally {
    await loaded.store.close();
  }
  return 0;
}

async function buildCommand(flags: Record<string, string>): Promise<number> {
  const model = modelFlag(flags);
  const target = flags.target ?? 'cpu';
  if (!isTarget(target)) throw new InputError('BAD_OPTION', `--target must be ${TARGETS.join(', ')}`);
  const dtype = flags.dtype;
  if (dtype !== undefined && dtype !== 'fp32' && dtype !== 'fp16') throw new InputError('BAD_OPTION', `--dtype must be fp32 or fp16`);
  const outPath = need(flags, 'out');
  // Without --dtype each builder takes the target's default (fp32 for a force_upcast VAE and the HelloMeme reference).
  const floatType = dtype === undefined ? undefined : dtype === 'fp16' ? 'float16' : 'float32';
  if (model === HM5_LOOP_MODEL) throw new InputError('BAD_OPTION', `${HM5_LOOP_MODEL} is a loop over three graphs, not one graph: build hm5-reference and hm5-denoise (--pad yes|no) instead`);
  if (model === PD_FGC_MODEL) {
    const loaded = await loadPdFgcEncoder(need(flags, 'weights'));
    try {
      await writeBuilt(buildPdFgcGraph(loaded.encoder, { target, floatType }), outPath);
    } finally {
      await loaded.close();
    }
    return 0;
  }
  if (isHm5Model(model)) {
    const pad = flags.pad ?? 'no';
    if (pad !== 'yes' && pad !== 'no') throw new InputError('BAD_OPTION', '--pad must be yes or no');
    const modules = await loadHm5Modules(model, need(flags, 'weights'));
    try {
      await writeBuilt(buildHm5Graph(model, modules, { target, floatType, withPad: pad === 'yes' }), outPath);
    } finally {
      await modules.close();
    }
    return 0;
  }
  const loaded = await loadSd15Model(model, need(flags, 'weights'), flags.config ?? null);
  try {
    await writeBuilt(buildSd15Graph(model, loaded.config, loaded.store, { target, floatType: floatType ?? defaultFloatType(model, target, loaded.config) }), outPath);
  } finally {
    await loaded.store.close();
  }
  return 0;
}

async function writeBuilt(g: GraphBuilder, outPath: string): Promise<void> {
  mkdirSync(dirname(outPath), { recursive: true });
  const written = await writeModelExternal(g, outPath);
  process.stdout.write(`${written.modelPath}: ${g.nodes.length} nodes, ${written.referencedTensors} weights referenced in place, ${written.copiedTensors} written to ${written.dataPath ?? '-'}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return sub ? 0 : 1;
  }
  if (sub === 'run') return runCommand(parseFlags(rest));
  if (sub === 'build') return buildCommand(parseFlags(rest));
  process.stderr.write(`memeloom graph: unknown subcommand '${sub}'\n${USAGE}\n`);
  return 2;
}
