// The `memeloom graph run` cases, derived from the module goldens instead of stored twice. Each case is the
// call a module golden already records, written as a case folder the command line reads: inputs.safetensors,
// outputs.safetensors and the weights/config it names. The golden README (test/golden/README.md) lists which
// module tensor each case tensor is. Derived once per test file into its work dir.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensorEntry } from '../../src/graph/weights/safetensors-writer.ts';
import { writeSafetensors } from '../../src/graph/weights/safetensors-writer.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { golden } from './golden-helpers.ts';

export interface GraphRunCase {
  readonly model: string;
  /** Absolute paths the command line gets. */
  readonly weights: string;
  readonly config: string | null;
  readonly inputs: string;
  readonly outputs: string;
  readonly tolerance: number;
}

type Tensor = { shape: number[]; data: Float32Array };
type Source = readonly [file: string, tensor: string];

async function read([file, name]: Source): Promise<Tensor> {
  return SafetensorsFile.with(file, async (f) => ({ shape: [...f.info(name).shape], data: await f.readFloat32(name) }));
}

/** [uncond, cond] along dim 0: the CFG batch the pipelines build, with `fill` as the unconditional half. */
function withUncondHalf(t: Tensor, fill: number): Tensor {
  const data = new Float32Array(t.data.length * 2);
  data.fill(fill, 0, t.data.length);
  data.set(t.data, t.data.length);
  return { shape: [2, ...t.shape.slice(1)], data };
}

const f32 = (name: string, t: Tensor): HostTensorEntry => ({ name, dtype: 'F32', shape: t.shape, data: t.data });

const unet = (f: string) => golden('unet_sd15_tiny', f);
const vae = (f: string) => golden('vae_sd15_tiny', f);
const clip = (f: string) => golden('clip_text_tiny', f);
const hm = (f: string) => golden('hellomeme_v5_tiny', f);
const LEVELS = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'];
const CONTROL = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'];

/** The tensors of one case: `[case name, module tensor]` pairs, plus tensors computed from them. */
interface CaseRecipe {
  model: string;
  weights: string;
  config: string | null;
  inputs: () => Promise<HostTensorEntry[]>;
  outputs: () => Promise<HostTensorEntry[]>;
}

async function copy(pairs: readonly (readonly [string, Source])[]): Promise<HostTensorEntry[]> {
  return Promise.all(pairs.map(async ([name, source]) => f32(name, await read(source))));
}

const denoiseInputs = async (): Promise<HostTensorEntry[]> =>
  copy([
    ['latent_model_input', [hm('inputs.safetensors'), 'latent_model_input']],
    ['timestep', [hm('inputs.safetensors'), 'timestep']],
    ['encoder_hidden_states', [hm('inputs.safetensors'), 'prompt_embeds']],
    ...LEVELS.map((l) => [`ref_cache.${l}`, [hm('ref_cache.safetensors'), `ref_cache.${l}`]] as const),
    ...CONTROL.map((k) => [`control.${k}`, [hm('control.safetensors'), `cntrl2.control.${k}`]] as const),
  ]);

const RECIPES: Record<string, CaseRecipe> = {
  unet: {
    model: 'unet',
    weights: unet('diffusion_pytorch_model.safetensors'),
    config: unet('config.json'),
    inputs: () =>
      copy([
        ['sample', [unet('inputs.safetensors'), 'sample']],
        ['timestep', [unet('inputs.safetensors'), 'timesteps_batch']],
        ['encoder_hidden_states', [unet('inputs.safetensors'), 'encoder_hidden_states']],
      ]),
    outputs: () => copy([['out_sample', [unet('outputs.safetensors'), 'out_batch_t']]]),
  },
  'vae-encoder': {
    model: 'vae-encoder',
    weights: vae('diffusion_pytorch_model.safetensors'),
    config: vae('config.json'),
    inputs: () => copy([['image', [vae('inputs.safetensors'), 'image']]]),
    outputs: () =>
      copy([
        ['posterior_mean', [vae('outputs.safetensors'), 'posterior_mean']],
        ['posterior_logvar', [vae('outputs.safetensors'), 'posterior_logvar']],
      ]),
  },
  'vae-decoder': {
    model: 'vae-decoder',
    weights: vae('diffusion_pytorch_model.safetensors'),
    config: vae('config.json'),
    // decoded_z = decode(latent_scaled / scaling_factor): the latent that enters post_quant_conv is z.
    inputs: () => copy([['latent', [vae('inputs.safetensors'), 'z']]]),
    outputs: () => copy([['image_out', [vae('outputs.safetensors'), 'decoded_z']]]),
  },
  'clip-text': {
    model: 'clip-text',
    weights: 'clip-text-weights.safetensors', // written below: hf_clip_text_model without text_projection
    config: clip('hf_config.json'),
    inputs: async () => {
      const ids = await read([clip('inputs.safetensors'), 'input_ids']);
      return [{ name: 'input_ids', dtype: 'I64', shape: ids.shape, data: BigInt64Array.from(ids.data, (v) => BigInt(v)) }];
    },
    outputs: () =>
      copy([
        ['last_hidden_state', [clip('outputs.safetensors'), 'last_hidden_state']],
        ['pooled_output', [clip('outputs.safetensors'), 'pooled_output']],
      ]),
  },
  'hm5-reference': {
    model: 'hm5-reference',
    weights: hm(''),
    config: null,
    inputs: async () => [
      f32('ref_latent', withUncondHalf(await read([hm('inputs.safetensors'), 'ref_latent']), 0)),
      f32('encoder_hidden_states', await read([hm('inputs.safetensors'), 'prompt_embeds_ref'])),
    ],
    outputs: () => copy(LEVELS.map((l) => [`ref_cache.${l}`, [hm('ref_cache.safetensors'), `ref_cache.${l}`]] as const)),
  },
  'hm5-control': {
    model: 'hm5-control',
    weights: hm(''),
    config: null,
    // The unconditional branch: condition −1 everywhere, no expression embedding.
    inputs: async () => [
      f32('condition', withUncondHalf(await read([hm('inputs.safetensors'), 'condition']), -1)),
      f32('pd_fpg', withUncondHalf(await read([hm('inputs.safetensors'), 'pd_fpg']), 0)),
    ],
    outputs: () => copy(CONTROL.map((k) => [`control.${k}`, [hm('control.safetensors'), `cntrl2.control.${k}`]] as const)),
  },
  'hm5-denoise': {
    model: 'hm5-denoise',
    weights: hm(''),
    config: null,
    inputs: denoiseInputs,
    outputs: () => copy([['noise_pred', [hm('denoise.safetensors'), 'noise_pred']]]),
  },
  'hm5-denoise-pad': {
    model: 'hm5-denoise',
    weights: hm(''),
    config: null,
    inputs: async () => [...(await denoiseInputs()), ...(await copy(LEVELS.map((l) => [`pad.${l}`, [hm('denoise.safetensors'), `pad.${l}`]] as const)))],
    outputs: () => copy([['noise_pred', [hm('denoise.safetensors'), 'noise_pred_with_pad']]]),
  },
};

export const GRAPH_RUN_CASES = Object.keys(RECIPES);

/** Writes case `name` under `workDir/<name>/` and returns the paths the command line gets. */
export async function deriveGraphRunCase(name: string, workDir: string): Promise<GraphRunCase> {
  const recipe = RECIPES[name];
  if (!recipe) throw new Error(`no graph run case '${name}'`);
  const dir = join(workDir, 'cases', name);
  mkdirSync(dir, { recursive: true });
  const inputs = join(dir, 'inputs.safetensors');
  const outputs = join(dir, 'outputs.safetensors');
  await writeSafetensors(inputs, await recipe.inputs());
  await writeSafetensors(outputs, await recipe.outputs());
  let weights = recipe.weights;
  if (name === 'clip-text') {
    weights = join(dir, recipe.weights);
    await SafetensorsFile.with(clip('hf_clip_text_model.safetensors'), async (f) => {
      const names = [...f.tensors.keys()].filter((t) => t !== 'text_projection.weight');
      const entries = await Promise.all(names.map(async (t) => ({ name: t, dtype: 'F32' as const, shape: [...f.info(t).shape], data: await f.readFloat32(t) })));
      await writeSafetensors(weights, entries);
    });
  }
  return { model: recipe.model, weights, config: recipe.config, inputs, outputs, tolerance: 1e-4 };
}
