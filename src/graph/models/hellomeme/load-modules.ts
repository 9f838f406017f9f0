// Opens an official HelloMeme v5 weights folder (unet_base/, hm5_reference/, hm5_motion/, hm5_control_base/,
// hm5_control_proj/, each config.json + safetensors) and builds + binds the Module trees a model needs.
// Sizes come from config.json where it is authoritative and from weight shapes for the control modules.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, MemeError } from '../../../errors.ts';
import { bindWeights } from '../../nn/bind.ts';
import { openComponent, readJsonFile, resolveComponent } from '../../weights/model-folder.ts';
import type { WeightStore } from '../../weights/weight-store.ts';
import { UNet2DConditionModel } from '../sd15/unet.ts';
import { parseUnetConfig } from '../sd15/unet-config.ts';
import { controlBasePlan, controlProjSizes, HM5ControlNetBase, HM5SD15ControlProj } from './control-net.ts';
import { HM5ReferenceAdapter } from './hooked-unet.ts';
import { HM5MotionAdapter } from './motion-module.ts';
import { isPdFgcBookkeeping, PdFgcEncoder } from './pd-fgc-encoder.ts';

export const HM5_MODELS = ['hm5-reference', 'hm5-control', 'hm5-denoise'] as const;
export type Hm5Model = (typeof HM5_MODELS)[number];

export function isHm5Model(name: string): name is Hm5Model {
  return (HM5_MODELS as readonly string[]).includes(name);
}

export type Hm5Folder = 'unet_base' | 'hm5_reference' | 'hm5_motion' | 'hm5_control_base' | 'hm5_control_proj';

const FOLDERS: Record<Hm5Model, readonly Hm5Folder[]> = {
  'hm5-reference': ['unet_base'],
  'hm5-control': ['hm5_control_base', 'hm5_control_proj'],
  'hm5-denoise': ['unet_base', 'hm5_reference', 'hm5_motion'],
};

type Json = Record<string, unknown>;

/** The bound modules of one HelloMeme model; close() releases the weight files. */
export interface Hm5Modules {
  readonly unet?: UNet2DConditionModel;
  readonly reference?: HM5ReferenceAdapter;
  readonly motion?: HM5MotionAdapter;
  readonly controlBase?: HM5ControlNetBase;
  readonly controlProj?: HM5SD15ControlProj;
  close(): Promise<void>;
}

/** One module's store and config as loaded from its folder (or given in memory, for tests and tools). */
export interface Hm5Part {
  readonly store: WeightStore;
  readonly config: Json;
}

function numbers(config: Json, key: string, where: string): number[] {
  const v = config[key];
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new InputError('BAD_OPTION', `${where}/config.json: ${key} must be a list of integers`);
  return v as number[];
}

/** Channels of the UNet levels: down_i outputs and up_i inputs. */
export function unetLevelChannels(unet: UNet2DConditionModel): { down: number[]; up: number[] } {
  const ch = unet.config.blockOutChannels;
  const rev = [...ch].reverse();
  return { down: [...ch], up: rev.map((_, i) => (i === 0 ? rev[0] : rev[i - 1])) };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Builds and binds the modules `model` needs from in-memory parts (strict: every tensor named on a mismatch). */
export function bindHm5Modules(model: Hm5Model, parts: Partial<Record<Hm5Folder, Hm5Part>>): Omit<Hm5Modules, 'close'> {
  const part = (name: Hm5Folder): Hm5Part => {
    const p = parts[name];
    if (!p) throw new InputError('FILE_NOT_FOUND', `${model} needs the ${name}/ weights`);
    return p;
  };
  const out: { -readonly [K in keyof Omit<Hm5Modules, 'close'>]: Omit<Hm5Modules, 'close'>[K] } = {};
  if (model === 'hm5-control') {
    const base = part('hm5_control_base');
    out.controlBase = new HM5ControlNetBase(controlBasePlan(base.store));
    bindWeights(out.controlBase, base.store, { modelName: 'HM5ControlNetBase (hm5_control_base/)' });
    const proj = part('hm5_control_proj');
    out.controlProj = new HM5SD15ControlProj(controlProjSizes(proj.store));
    bindWeights(out.controlProj, proj.store, { modelName: 'HM5SD15ControlProj (hm5_control_proj/)' });
    return out;
  }
  const base = part('unet_base');
  out.unet = new UNet2DConditionModel(parseUnetConfig(base.config));
  bindWeights(out.unet, base.store, { modelName: 'UNet2DConditionModel (unet_base/)' });
  if (model === 'hm5-reference') return out;
  const levels = unetLevelChannels(out.unet);
  const ref = part('hm5_reference');
  const refUp = numbers(ref.config, 'block_up_channels', 'hm5_reference');
  if (!sameList(refUp, levels.up)) throw new MemeError('BAD_WEIGHTS', `hm5_reference block_up_channels [${refUp}] do not match unet_base's up-block inputs [${levels.up}]`);
  out.reference = new HM5ReferenceAdapter(refUp, (ref.config.num_attention_heads as number) ?? 8);
  bindWeights(out.reference, ref.store, { modelName: 'HM5ReferenceAdapter (hm5_reference/)' });
  const mot = part('hm5_motion');
  const motDown = numbers(mot.config, 'block_down_channels', 'hm5_motion');
  const motUp = numbers(mot.config, 'block_up_channels', 'hm5_motion');
  if (!sameList(motDown, levels.down) || !sameList(motUp, levels.up)) throw new MemeError('BAD_WEIGHTS', `hm5_motion channels [${motDown}] / [${motUp}] do not match unet_base's levels [${levels.down}] / [${levels.up}]`);
  out.motion = new HM5MotionAdapter(motDown, motUp, (mot.config.num_attention_heads as number) ?? 8);
  bindWeights(out.motion, mot.store, { modelName: 'HM5MotionAdapter (hm5_motion/)' });
  return out;
}

/** Opens the subfolders `model` needs under `folder` and binds them. */
export async function loadHm5Modules(model: Hm5Model, folder: string): Promise<Hm5Modules> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new InputError('FILE_NOT_FOUND', `--weights for ${model} must be a folder holding ${FOLDERS[model].join('/, ')}/`, { path: folder });
  const parts: Partial<Record<Hm5Folder, Hm5Part>> = {};
  const stores: WeightStore[] = [];
  const close = async () => {
    await Promise.all(stores.map((s) => s.close()));
  };
  try {
    for (const name of FOLDERS[model]) {
      const sub = join(folder, name);
      if (!existsSync(sub)) throw new InputError('FILE_NOT_FOUND', `${model} needs ${sub}/ (config.json + safetensors)`, { path: sub });
      const files = resolveComponent(sub, null);
      const store = await openComponent(files);
      stores.push(store);
      parts[name] = { store, config: files.config ? readJsonFile(files.config) : {} };
    }
    return { ...bindHm5Modules(model, parts), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The PD-FGC encoder from its folder (config.json with pose_dim / eye_dim + safetensors) or a .safetensors file. */
export async function loadPdFgcEncoder(path: string): Promise<{ encoder: PdFgcEncoder; close(): Promise<void> }> {
  const files = resolveComponent(path, null);
  const store = await openComponent(files);
  try {
    const config = files.config ? readJsonFile(files.config) : {};
    const encoder = new PdFgcEncoder((config.pose_dim as number) ?? 6, (config.eye_dim as number) ?? 6);
    bindWeights(encoder, store, { modelName: 'FanEncoder (pd_fgc_motion/)', knownUnused: isPdFgcBookkeeping });
    return { encoder, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
