// The webgpu-target graphs of the tiny goldens with their golden feeds and expected outputs, one list shared by the
// webgpu-target test, the local WebGPU check (scripts/device/webgpu-tiny-check.ts) and the device carry
// (scripts/device/prepare.ts). Feeds are the goldens' own inputs.
import { buildRrdbNetGraph, loadRrdbNet } from '../../src/graph/models/esrgan/build-graph.ts';
import { buildHm5Graph } from '../../src/graph/models/hellomeme/build-graph.ts';
import { loadHm5Modules } from '../../src/graph/models/hellomeme/load-modules.ts';
import { defaultFloatType } from '../../src/graph/models/sd15/compile-model.ts';
import { buildSd15Graph, type Sd15Model } from '../../src/graph/models/sd15/build-graph.ts';
import type { FloatType, GraphBuilder } from '../../src/graph/onnx/graph-builder.ts';
import type { HostTensor } from '../../src/graph/runtime.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { openSafetensorsStore } from '../../src/graph/weights/weight-store.ts';
import { f32, golden, readJson, readTensor } from './golden-helpers.ts';

export interface TinyCase {
  readonly name: string;
  readonly graph: GraphBuilder;
  readonly feeds: Record<string, HostTensor>;
  readonly expected: Record<string, HostTensor & { data: Float32Array }>;
  close(): Promise<void>;
}

type Expected = Record<string, HostTensor & { data: Float32Array }>;
const hm = (f: string) => golden('hellomeme_v5_tiny', f);

function stack2(a: HostTensor & { data: Float32Array }, b: HostTensor & { data: Float32Array }): HostTensor & { data: Float32Array } {
  const data = new Float32Array(a.data.length * 2);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { ...f32([2, ...a.dims.slice(1)], data), data };
}

async function sd15Case(name: string, model: Sd15Model, folder: string, configFile: string, weights: string, feeds: Record<string, HostTensor>, expected: Expected, floatType?: FloatType): Promise<TinyCase> {
  const config = readJson(golden(folder, configFile));
  const store = await openSafetensorsStore([golden(folder, weights)]);
  const graph = buildSd15Graph(model, config, store, { target: 'webgpu', floatType: floatType ?? defaultFloatType(model, 'webgpu', config) });
  return { name, graph, feeds, expected, close: () => store.close() };
}

async function hm5Case(name: string, model: 'hm5-reference' | 'hm5-control' | 'hm5-denoise', feeds: Record<string, HostTensor>, expected: Expected, withPad = false): Promise<TinyCase> {
  const modules = await loadHm5Modules(model, golden('hellomeme_v5_tiny'));
  return { name, graph: buildHm5Graph(model, modules, { target: 'webgpu', withPad }), feeds, expected, close: () => modules.close() };
}

/** Every tiny case, built one at a time (each holds its weight files open until closed). */
export async function* tinyCases(): AsyncGenerator<TinyCase> {
  const unet = (f: string) => golden('unet_sd15_tiny', f);
  const t = (await readTensor(unet('inputs.safetensors'), 'timestep_scalar')).data[0];
  yield await sd15Case('unet', 'unet', 'unet_sd15_tiny', 'config.json', 'diffusion_pytorch_model.safetensors', { sample: await readTensor(unet('inputs.safetensors'), 'sample'), encoder_hidden_states: await readTensor(unet('inputs.safetensors'), 'encoder_hidden_states'), timestep: f32([2], Float32Array.of(t, t)) }, { out_sample: await readTensor(unet('outputs.safetensors'), 'out_scalar_t') });

  const vae = (f: string) => golden('vae_sd15_tiny', f);
  for (const floatType of ['float32', 'float16'] as const) {
    yield await sd15Case(`vae-encoder-${floatType}`, 'vae-encoder', 'vae_sd15_tiny', 'config.json', 'diffusion_pytorch_model.safetensors', { image: await readTensor(vae('inputs.safetensors'), 'image') }, { posterior_mean: await readTensor(vae('outputs.safetensors'), 'posterior_mean'), posterior_logvar: await readTensor(vae('outputs.safetensors'), 'posterior_logvar') }, floatType);
    yield await sd15Case(`vae-decoder-${floatType}`, 'vae-decoder', 'vae_sd15_tiny', 'config.json', 'diffusion_pytorch_model.safetensors', { latent: await readTensor(vae('inputs.safetensors'), 'z') }, { image_out: await readTensor(vae('outputs.safetensors'), 'decoded_z') }, floatType);
  }

  const clip = (f: string) => golden('clip_text_tiny', f);
  const ids = await SafetensorsFile.with(clip('inputs.safetensors'), (f) => f.readInt64('input_ids'));
  yield await sd15Case('clip-text', 'clip-text', 'clip_text_tiny', 'hf_config.json', 'hf_clip_text_model.safetensors', { input_ids: { elem: 'int64', dims: [3, 77], data: ids } }, { last_hidden_state: await readTensor(clip('outputs.safetensors'), 'last_hidden_state') });

  const input = (n: string) => readTensor(hm('inputs.safetensors'), n);
  const ref = await input('ref_latent');
  const refCache: Expected = {};
  for (const l of ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3']) refCache[`ref_cache.${l}`] = await readTensor(hm('ref_cache.safetensors'), `ref_cache.${l}`);
  yield await hm5Case('hm5-reference', 'hm5-reference', { ref_latent: stack2({ ...ref, data: new Float32Array(ref.data.length) }, ref), encoder_hidden_states: await input('prompt_embeds_ref') }, refCache);

  const keys = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'];
  const control: Expected = {};
  for (const k of keys) control[`control.${k}`] = await readTensor(hm('control.safetensors'), `cntrl2.control.${k}`);
  const cond = await input('condition');
  const pd = await input('pd_fpg');
  yield await hm5Case('hm5-control', 'hm5-control', { condition: stack2({ ...cond, data: new Float32Array(cond.data.length).fill(-1) }, cond), pd_fpg: stack2({ ...pd, data: new Float32Array(pd.data.length) }, pd) }, control);

  const denoise: Record<string, HostTensor> = { latent_model_input: await input('latent_model_input'), timestep: await input('timestep'), encoder_hidden_states: await input('prompt_embeds') };
  for (const l of ['up_0', 'up_1', 'up_2', 'up_3']) denoise[`ref_cache.${l}`] = refCache[`ref_cache.${l}`];
  for (const k of keys) denoise[`control.${k}`] = control[`control.${k}`];
  yield await hm5Case('hm5-denoise', 'hm5-denoise', denoise, { noise_pred: await readTensor(hm('denoise.safetensors'), 'noise_pred') });
  const withPad = { ...denoise };
  for (const l of ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3']) withPad[`pad.${l}`] = await readTensor(hm('denoise.safetensors'), `pad.${l}`);
  yield await hm5Case('hm5-denoise-pad', 'hm5-denoise', withPad, { noise_pred: await readTensor(hm('denoise.safetensors'), 'noise_pred_with_pad') }, true);

  const esrgan = (f: string) => golden('esrgan_x2_tiny', f);
  const net = await loadRrdbNet(esrgan('weights.pth'));
  const image = await readTensor(esrgan('tensors.safetensors'), 'input');
  yield { name: 'esrgan-x2', graph: buildRrdbNetGraph(net.net, { target: 'webgpu' }), feeds: { image }, expected: { upscaled: await readTensor(esrgan('tensors.safetensors'), 'output') }, close: () => net.close() };
}
