// `memeloom graph run --model hm5-loop`: HelloMeme v5's whole sampling loop on given tensors, for verification
// against the reference loop (the loop golden's inputs + recorded scheduler draws in, the final latents and every
// intermediate out). Builds the three graphs the loop needs from one weights folder and runs the replay;
// argument checks and file IO only.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.ts';
import { buildHm5Graph } from '../graph/models/hellomeme/build-graph.ts';
import { loadHm5Modules } from '../graph/models/hellomeme/load-modules.ts';
import { createSession, type GraphSession, type HostTensor } from '../graph/runtime.ts';
import { SafetensorsFile } from '../graph/weights/safetensors.ts';
import { writeSafetensors } from '../graph/weights/safetensors-writer.ts';
import type { LoopSessions } from '../pipeline/engines/hellomeme/engine-stages.ts';
import { replayV5Loop } from '../pipeline/engines/hellomeme/loop-replay.ts';
import type { SessionName } from '../pipeline/engines/hellomeme/session-set.ts';
import { withModelFile } from './graph-model-file.ts';

export const HM5_LOOP_MODEL = 'hm5-loop';

export const HM5_LOOP_USAGE = `  memeloom graph run --model hm5-loop --weights <folder> --inputs inputs.safetensors --noise scheduler_noise.safetensors
                     [--steps S] [--guidance 1.5] --out out.safetensors
  hm5-loop runs HelloMeme v5's whole sampling loop (hierarchical keyframes, 12-frame chunks, CFG, DPM-Solver++ SDE)
  with the recorded scheduler draws: inputs hold base_noise [1,4,N+13,h,w], control.* [2,C,N,h,w], prompt_embeds and
  ref_cache.* (or ref_latent + prompt_embeds_ref); the noise file holds depth{d}.noises [S,1,4,L,h,w] per level.
  Writes latents [1,4,N,h,w] and the per-level, per-chunk and keyframe intermediates.`;

async function readAll(path: string): Promise<Map<string, HostTensor>> {
  return SafetensorsFile.with(path, async (file) => {
    const out = new Map<string, HostTensor>();
    for (const info of file.tensors.values()) out.set(info.name, { elem: 'float32', dims: [...info.shape], data: await file.readFloat32(info.name) });
    return out;
  });
}

function numberFlag(flags: Record<string, string>, name: string, check: (v: number) => boolean, limit: string): number | undefined {
  if (flags[name] === undefined) return undefined;
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || !check(value)) throw new InputError('BAD_OPTION', `--${name} must be ${limit}, got '${flags[name]}'`);
  return value;
}

const LOOP_GRAPHS = { 'hm5-reference': { model: 'hm5-reference', withPad: false }, 'hm5-denoise': { model: 'hm5-denoise', withPad: false }, 'hm5-denoise-pad': { model: 'hm5-denoise', withPad: true } } as const;

export async function runHm5LoopCommand(flags: Record<string, string>, need: (name: string) => string): Promise<number> {
  if (flags.config) throw new InputError('BAD_OPTION', `${HM5_LOOP_MODEL} reads each module's config.json from --weights; --config is not used`);
  const steps = numberFlag(flags, 'steps', (v) => Number.isInteger(v) && v >= 1 && v <= 1000, 'an integer from 1 to 1000');
  const guidanceScale = numberFlag(flags, 'guidance', (v) => v >= 0 && v <= 30, 'a number from 0 to 30');
  const outPath = need('out');
  const inputs = await readAll(need('inputs'));
  const noise = await readAll(need('noise'));
  // hm5-denoise binds unet_base, hm5_reference and hm5_motion; the reference graph uses the same unet_base.
  const modules = await loadHm5Modules('hm5-denoise', need('weights'));
  const open = new Map<SessionName, Promise<GraphSession>>();
  const sessions: LoopSessions = {
    session(name) {
      if (!(name in LOOP_GRAPHS)) throw new InputError('BAD_OPTION', `the loop replay has no '${name}' graph`);
      let session = open.get(name);
      if (!session) {
        const { model, withPad } = LOOP_GRAPHS[name as keyof typeof LOOP_GRAPHS];
        const g = buildHm5Graph(model, modules, { target: 'cpu', withPad });
        session = withModelFile(g, (file) => createSession(file, { provider: 'cpu', inputs: g.inputs }));
        open.set(name, session);
      }
      return session;
    },
  };
  try {
    const traced = await replayV5Loop(sessions, { inputs, noise, steps, guidanceScale });
    mkdirSync(dirname(outPath), { recursive: true });
    const tensors = [...traced].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data }));
    await writeSafetensors(outPath, tensors);
    for (const t of tensors) process.stdout.write(`${t.name} [${t.shape.join(', ')}]\n`);
  } finally {
    for (const session of open.values()) await (await session.catch(() => null))?.dispose();
    await modules.close();
  }
  return 0;
}
