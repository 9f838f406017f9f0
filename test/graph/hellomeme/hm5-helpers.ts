// Shared helpers for the HelloMeme graph tests: the golden folder, building a hm5 graph in-process and running it.
import type { Hm5BuildOptions } from '../../../src/graph/models/hellomeme/build-graph.ts';
import { buildHm5Graph } from '../../../src/graph/models/hellomeme/build-graph.ts';
import { CONTROL_MAPS, HM5ControlNetBase, HM5SD15ControlProj } from '../../../src/graph/models/hellomeme/control-net.ts';
import { HM5ReferenceAdapter } from '../../../src/graph/models/hellomeme/hooked-unet.ts';
import { bindHm5Modules, type Hm5Folder, type Hm5Model, type Hm5Modules, type Hm5Part, loadHm5Modules, unetLevelChannels } from '../../../src/graph/models/hellomeme/load-modules.ts';
import { HM5MotionAdapter } from '../../../src/graph/models/hellomeme/motion-module.ts';
import { UNet2DConditionModel } from '../../../src/graph/models/sd15/unet.ts';
import { parseUnetConfig } from '../../../src/graph/models/sd15/unet-config.ts';
import { encodeModelInline } from '../../../src/graph/onnx/model-writer.ts';
import { createSession, type HostTensor } from '../../../src/graph/runtime.ts';
import { golden, randomStore } from '../golden-helpers.ts';

export const hmDir = (...parts: string[]) => golden('hellomeme_v5_tiny', ...parts);

export async function withModules<T>(model: Hm5Model, fn: (m: Hm5Modules) => Promise<T>, folder = hmDir()): Promise<T> {
  const modules = await loadHm5Modules(model, folder);
  try {
    return await fn(modules);
  } finally {
    await modules.close();
  }
}

/** Builds `model` for the CPU target from the golden folder and runs it once on `feeds`. */
export async function runHm5(model: Hm5Model, feeds: Record<string, HostTensor>, options: Hm5BuildOptions = {}, folder = hmDir()): Promise<Record<string, HostTensor>> {
  return withModules(
    model,
    async (m) => {
      const g = buildHm5Graph(model, m, options);
      const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
      try {
        return await session.run(feeds);
      } finally {
        await session.dispose();
      }
    },
    folder,
  );
}

/** A HelloMeme channel plan for random-weight tests (UNet levels, control features). */
export interface TinyPlan {
  readonly unetChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly crossDim: number;
  readonly controlMid: readonly [number, number, number];
  readonly controlOut: number;
  readonly controlContext: number;
}

/** unet_base config.json for a plan (SD1.5 block types, 8 heads, 8 norm groups). */
export function tinyUnetConfig(plan: TinyPlan): Record<string, unknown> {
  return {
    block_out_channels: plan.unetChannels,
    layers_per_block: plan.layersPerBlock,
    norm_num_groups: 8,
    cross_attention_dim: plan.crossDim,
    attention_head_dim: 8,
    in_channels: 4,
    out_channels: 4,
  };
}

/** Random-weight parts in the official layout for `plan` (sizes as the official constructors derive them). */
export function randomHm5Parts(plan: TinyPlan, seed: number): Partial<Record<Hm5Folder, Hm5Part>> {
  const unetConfig = tinyUnetConfig(plan);
  const unet = new UNet2DConditionModel(parseUnetConfig(unetConfig));
  const levels = unetLevelChannels(unet);
  const base = { inChannels: 3, midChannels: plan.controlMid, outChannels: plan.controlOut, contextDim: plan.controlContext };
  const feat = [plan.controlMid[2], plan.controlMid[1], plan.controlMid[0], plan.controlOut];
  const target: Record<string, number> = { up3_0: levels.up[0], up3_1: levels.up[1], up3_2: levels.up[2], up3_3: levels.up[3], down3_0: levels.down[0], down3_1: levels.down[1], down3_2: levels.down[2], down3_3: levels.down[3] };
  const sizes = new Map<string, readonly [number, number]>(CONTROL_MAPS.map(([key, name, f]) => [name, [feat[f], target[key]] as const]));
  const adapterConfig = { block_down_channels: levels.down, block_up_channels: levels.up, num_attention_heads: 8 };
  return {
    unet_base: { config: unetConfig, store: randomStore(unet, seed) },
    hm5_reference: { config: adapterConfig, store: randomStore(new HM5ReferenceAdapter(levels.up, 8), seed + 1000) },
    hm5_motion: { config: adapterConfig, store: randomStore(new HM5MotionAdapter(levels.down, levels.up, 8), seed + 2000) },
    hm5_control_base: { config: {}, store: randomStore(new HM5ControlNetBase(base), seed + 3000) },
    hm5_control_proj: { config: {}, store: randomStore(new HM5SD15ControlProj(sizes), seed + 4000) },
  };
}

/** Builds `model` from in-memory parts and returns a session runner. */
export async function sessionFromParts(model: Hm5Model, parts: Partial<Record<Hm5Folder, Hm5Part>>, options: Hm5BuildOptions = {}) {
  const g = buildHm5Graph(model, bindHm5Modules(model, parts), options);
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
  return { session, graph: g };
}
