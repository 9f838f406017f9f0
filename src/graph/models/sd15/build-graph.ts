// Builds one SD1.5 model graph (unet, vae-encoder, vae-decoder, clip-text) from config JSON + a WeightStore:
// binds the weights strictly, declares IO (float32 at the boundary, cast inside for fp16), emits the ops.
import { InputError } from '../../../errors.ts';
import { type FloatType, GraphBuilder, type Target, type Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { bindWeights } from '../../nn/bind.ts';
import type { Module } from '../../nn/module.ts';
import type { WeightStore } from '../../weights/weight-store.ts';
import { ClipTextModel, parseClipTextConfig } from './clip-text.ts';
import { UNet2DConditionModel } from './unet.ts';
import { parseUnetConfig } from './unet-config.ts';
import { AutoencoderKL, parseVaeConfig } from './vae.ts';

export const SD15_MODELS = ['unet', 'vae-encoder', 'vae-decoder', 'clip-text'] as const;
export type Sd15Model = (typeof SD15_MODELS)[number];

export function isSd15Model(name: string): name is Sd15Model {
  return (SD15_MODELS as readonly string[]).includes(name);
}

export interface GraphBuildOptions {
  readonly target?: Target;
  readonly floatType?: FloatType;
  /** intermediate names (`<module path>.out`) to expose as extra outputs */
  readonly taps?: readonly string[];
}

type Json = Record<string, unknown>;

function tapper(g: GraphBuilder, wanted: readonly string[] | undefined, prefix = '') {
  const want = new Set(wanted ?? []);
  return (name: string, v: Value) => {
    const full = prefix + name;
    if (want.has(full)) g.output(toF32(g, v), full, 'float32', null);
  };
}

function fromF32(g: GraphBuilder, v: Value): Value {
  return g.floatType === 'float16' ? op.cast(g, v, 'float16') : v;
}

function toF32(g: GraphBuilder, v: Value): Value {
  return g.floatType === 'float16' ? op.cast(g, v, 'float32') : v;
}

function buildUnet(g: GraphBuilder, config: Json, store: WeightStore, taps?: readonly string[]): void {
  const model = new UNet2DConditionModel(parseUnetConfig(config));
  bindWeights(model, store, { modelName: 'UNet2DConditionModel' });
  const c = model.config;
  const sample = g.input('sample', 'float32', ['batch', c.inChannels, 'height', 'width']);
  const timestep = g.input('timestep', 'float32', ['batch']);
  const ctx = g.input('encoder_hidden_states', 'float32', ['batch', 'tokens', c.crossAttentionDim[0]]);
  const out = model.forward(g, fromF32(g, sample), timestep, fromF32(g, ctx), tapper(g, taps));
  g.output(toF32(g, out), 'out_sample', 'float32', ['batch', c.outChannels, 'height', 'width']);
}

function buildVae(g: GraphBuilder, half: 'encoder' | 'decoder', config: Json, store: WeightStore, taps?: readonly string[]): void {
  const model = new AutoencoderKL(parseVaeConfig(config));
  bindWeights(model, store, { modelName: 'AutoencoderKL' });
  const c = model.config;
  if (half === 'encoder') {
    const image = g.input('image', 'float32', ['batch', c.inChannels, 'height', 'width']);
    const { mean, logvar } = model.encode(g, fromF32(g, image), tapper(g, taps, 'encode.'));
    g.output(toF32(g, mean), 'posterior_mean', 'float32', ['batch', c.latentChannels, 'latent_height', 'latent_width']);
    g.output(toF32(g, logvar), 'posterior_logvar', 'float32', ['batch', c.latentChannels, 'latent_height', 'latent_width']);
    return;
  }
  const latent = g.input('latent', 'float32', ['batch', c.latentChannels, 'latent_height', 'latent_width']);
  const image = model.decode(g, fromF32(g, latent), tapper(g, taps, 'decode.'));
  g.output(toF32(g, image), 'image_out', 'float32', ['batch', c.outChannels, 'height', 'width']);
}

function buildClip(g: GraphBuilder, config: Json, store: WeightStore): void {
  const c = parseClipTextConfig(config);
  const model = new ClipTextModel(c, store.has('text_projection.weight'));
  // position_ids is a buffer some exports save with the weights; it is not a parameter.
  bindWeights(model, store, { modelName: 'CLIPTextModel', knownUnused: (n) => n === 'text_model.embeddings.position_ids' });
  const ids = g.input('input_ids', 'int64', ['batch', 'tokens']);
  const out = model.forward(g, ids);
  const d = c.hiddenSize;
  g.output(toF32(g, out.lastHiddenState), 'last_hidden_state', 'float32', ['batch', 'tokens', d]);
  if (out.pooled) g.output(toF32(g, out.pooled), 'pooled_output', 'float32', ['batch', d]);
  out.hiddenStates.forEach((h, i) => {
    g.output(toF32(g, h), `hidden_states.${i}`, 'float32', ['batch', 'tokens', d]);
  });
  if (out.textEmbeds) g.output(toF32(g, out.textEmbeds), 'text_embeds', 'float32', ['batch', c.projectionDim as number]);
}

/** The Module tree `model` builds for `config` (unbound): its namedParams() are the weights it expects. */
export function sd15Module(model: Sd15Model, config: Json, options: { clipProjection?: boolean } = {}): Module {
  if (model === 'unet') return new UNet2DConditionModel(parseUnetConfig(config));
  if (model === 'clip-text') return new ClipTextModel(parseClipTextConfig(config), options.clipProjection ?? false);
  return new AutoencoderKL(parseVaeConfig(config));
}

/** Builds the graph for `model`; weights are referenced lazily, so nothing is read until the graph is written. */
export function buildSd15Graph(model: Sd15Model, config: Json, store: WeightStore, options: GraphBuildOptions = {}): GraphBuilder {
  const g = new GraphBuilder({ target: options.target, floatType: options.floatType });
  switch (model) {
    case 'unet':
      buildUnet(g, config, store, options.taps);
      break;
    case 'vae-encoder':
      buildVae(g, 'encoder', config, store, options.taps);
      break;
    case 'vae-decoder':
      buildVae(g, 'decoder', config, store, options.taps);
      break;
    case 'clip-text':
      buildClip(g, config, store);
      break;
    default:
      throw new InputError('BAD_OPTION', `unknown model '${String(model)}'`);
  }
  return g;
}
