// `memeloom graph run|build`: builds an SD1.5 model graph from safetensors + config, then runs it on the
// tensors of an inputs file (writing every output) or writes the .onnx. Argument parsing and file IO only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { type Sd15Model, SD15_MODELS, buildSd15Graph, isSd15Model } from '../graph/models/sd15/build-graph.ts';
import { loadSd15Model } from '../graph/models/sd15/load-model.ts';
import type { GraphBuilder } from '../graph/onnx/graph-builder.ts';
import { encodeModelInline, writeModelExternal } from '../graph/onnx/model-writer.ts';
import { type HostTensor, createSession } from '../graph/runtime.ts';
import { SafetensorsFile } from '../graph/weights/safetensors.ts';
import { writeSafetensors } from '../graph/weights/safetensors-writer.ts';

const USAGE = `usage:
  memeloom graph run --model <${SD15_MODELS.join('|')}> --weights <file|folder> [--config config.json]
                     --inputs in.safetensors --out out.safetensors
  memeloom graph build --model <name> --weights <file|folder> [--config config.json] --out model.onnx
                     [--target cpu|cuda] [--dtype fp32|fp16]`;

const INLINE_LIMIT_BYTES = 1024 ** 3;

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

function modelFlag(flags: Record<string, string>): Sd15Model {
  const model = need(flags, 'model');
  if (!isSd15Model(model)) throw new InputError('BAD_OPTION', `unknown --model '${model}' (expected ${SD15_MODELS.join(', ')})`);
  return model;
}

/** Reads every tensor of the inputs file: int64 for input_ids, float32 otherwise. */
async function readInputs(path: string, model: Sd15Model): Promise<Record<string, HostTensor>> {
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

async function runCommand(flags: Record<string, string>): Promise<number> {
  const model = modelFlag(flags);
  const outPath = need(flags, 'out');
  const inputs = need(flags, 'inputs');
  const loaded = await loadSd15Model(model, need(flags, 'weights'), flags.config ?? null);
  try {
    const g = buildSd15Graph(model, loaded.config, loaded.store, { target: 'cpu' });
    const scratch = mkdtempSync(join(tmpdir(), 'memeloom-graph-'));
    const session = await createSession(await modelForSession(g, scratch), { provider: 'cpu', inputs: g.inputs });
    try {
      const feeds = await readInputs(inputs, model);
      if (model === 'unet') broadcastTimestep(feeds);
      const result = await session.run(feeds);
      mkdirSync(dirname(outPath), { recursive: true });
      const tensors = Object.entries(result).map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.dims, data: t.data as Float32Array }));
      await writeSafetensors(outPath, tensors);
      for (const t of tensors) process.stdout.write(`${t.name} [${t.shape.join(', ')}]\n`);
    } finally {
      await session.dispose();
      rmSync(scratch, { recursive: true, force: true });
    }
  } finally {
    await loaded.store.close();
  }
  return 0;
}

/** Protobuf cannot hold 2 GB: big models go through a model file with external data, small ones stay in memory. */
async function modelForSession(g: GraphBuilder, scratchDir: string): Promise<Uint8Array | string> {
  let weightBytes = 0;
  for (const init of g.initializers.values()) if (init.kind === 'weight') weightBytes += init.dims.reduce((a, b) => a * b, 1) * 4;
  if (weightBytes < INLINE_LIMIT_BYTES) return encodeModelInline(g);
  return (await writeModelExternal(g, join(scratchDir, 'model.onnx'))).modelPath;
}

async function buildCommand(flags: Record<string, string>): Promise<number> {
  const model = modelFlag(flags);
  const target = (flags.target ?? 'cpu') as 'cpu' | 'cuda';
  if (target !== 'cpu' && target !== 'cuda') throw new InputError('BAD_OPTION', `--target must be cpu or cuda`);
  const dtype = flags.dtype ?? (target === 'cuda' ? 'fp16' : 'fp32');
  if (dtype !== 'fp32' && dtype !== 'fp16') throw new InputError('BAD_OPTION', `--dtype must be fp32 or fp16`);
  const outPath = need(flags, 'out');
  const loaded = await loadSd15Model(model, need(flags, 'weights'), flags.config ?? null);
  try {
    const g = buildSd15Graph(model, loaded.config, loaded.store, { target, floatType: dtype === 'fp16' ? 'float16' : 'float32' });
    mkdirSync(dirname(outPath), { recursive: true });
    const written = await writeModelExternal(g, outPath);
    process.stdout.write(`${written.modelPath}: ${g.nodes.length} nodes, ${written.referencedTensors} weights referenced in place, ${written.copiedTensors} written to ${written.dataPath ?? '-'}\n`);
  } finally {
    await loaded.store.close();
  }
  return 0;
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
