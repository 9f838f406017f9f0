// Builds the HelloMeme v5 graphs from bound modules: hm5-reference (truncated reference UNet → 8 cached maps),
// hm5-control (control base + projector → 8 maps per frame) and hm5-denoise (hooked UNet, with or without
// keyframe pads). IO is float32 at the boundary; frame count, batch, tokens and sizes are dynamic.
import { InputError } from '../../../errors.ts';
import { type FloatType, GraphBuilder, type Target, type Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { targetProfile } from '../../onnx/targets.ts';
import { ARKIT_COEFFS, CONTROL_MAPS, FACE_PART_COUNT, FACE_PART_DIM, type HM5ControlNetBase, PD_FPG_DIM } from './control-net.ts';
import { type DenoiseConditioning, denoiseHooks, frameTimeEmbedding, runHookedUnet } from './hooked-unet.ts';
import { type Hm5Model, type Hm5Modules, unetLevelChannels } from './load-modules.ts';
import { PD_FGC_INPUT_SIZE, type PdFgcEncoder } from './pd-fgc-encoder.ts';
import { dimsOf, foldFrames, repeatInterleave, reshapeTo, unfoldFrames } from './shape-ops.ts';

export interface Hm5BuildOptions {
  readonly target?: Target;
  readonly floatType?: FloatType;
  /** hm5-control: 'pd_fpg' (cntrl2, the default) or 'arkit' (cntrl1: drive_coeff + face_parts) */
  readonly expression?: 'pd_fpg' | 'arkit';
  /** hm5-denoise: take keyframe pads `pad.down_i` / `pad.up_i` (the motion modules' attn_pad path) */
  readonly withPad?: boolean;
  /** intermediate names to expose as extra float32 outputs (see each builder for the names) */
  readonly taps?: readonly string[];
}

type Modules = Omit<Hm5Modules, 'close'>;

const fromF32 = (g: GraphBuilder, v: Value): Value => (g.floatType === 'float16' ? op.cast(g, v, 'float16') : v);
const toF32 = (g: GraphBuilder, v: Value): Value => (g.floatType === 'float16' ? op.cast(g, v, 'float32') : v);

function tapper(g: GraphBuilder, taps: readonly string[] | undefined) {
  const want = new Set(taps ?? []);
  return (name: string, v: Value) => {
    if (want.has(name)) g.output(toF32(g, v), name, 'float32', null);
  };
}

function need<T>(value: T | undefined, what: string): T {
  if (!value) throw new InputError('BAD_OPTION', `the modules for this graph lack ${what}`);
  return value;
}

/** ref_latent [B,4,H,W] + encoder_hidden_states [B,T,D] → ref_cache.down_i / up_i [B,C,h,w] at timestep 0. */
function buildReference(g: GraphBuilder, m: Modules): void {
  const unet = need(m.unet, 'unet_base');
  const c = unet.config;
  const latent = g.input('ref_latent', 'float32', ['batch', c.inChannels, 'height', 'width']);
  const ctx = g.input('encoder_hidden_states', 'float32', ['batch', 'tokens', c.crossAttentionDim[0]]);
  const t0 = g.constant('float32', [1], Float32Array.of(0), 'timestep0');
  const tembAct = frameTimeEmbedding(g, unet, t0, dimsOf(g, latent, 0), null);
  const { cache } = runHookedUnet(g, unet, fromF32(g, latent), tembAct, fromF32(g, ctx), {}, { truncate: true });
  const levels = unetLevelChannels(unet);
  for (const [kind, chans] of [['down', levels.down], ['up', levels.up]] as const) {
    chans.forEach((ch, i) => {
      g.output(toF32(g, cache.get(`${kind}_${i}`) as Value), `ref_cache.${kind}_${i}`, 'float32', ['batch', ch, `${kind}${i}_h`, `${kind}${i}_w`]);
    });
  }
}

/** The expression tokens [(B F),16,D] from pd_fpg [B,F,548] (cntrl2) or drive_coeff [B,F,51] + face_parts [B,F,3,1024]. */
function expressionInputs(g: GraphBuilder, base: HM5ControlNetBase, kind: 'pd_fpg' | 'arkit'): Value {
  if (kind === 'pd_fpg') {
    const pd = g.input('pd_fpg', 'float32', ['batch', 'frames', PD_FPG_DIM]);
    return base.expressionTokens(g, reshapeTo(g, pd, [[-1, PD_FPG_DIM]]));
  }
  const arkit = g.input('drive_coeff', 'float32', ['batch', 'frames', ARKIT_COEFFS]);
  const parts = g.input('face_parts', 'float32', ['batch', 'frames', FACE_PART_COUNT, FACE_PART_DIM]);
  return base.arkitTokens(g, reshapeTo(g, arkit, [[-1, ARKIT_COEFFS]]), reshapeTo(g, fromF32(g, parts), [[-1, FACE_PART_COUNT, FACE_PART_DIM]]));
}

/**
 * condition [B,3,F,Hc,Wc] + pd_fpg [B,F,548] (or drive_coeff + face_parts) → control.<key> [B,C,F,h,w];
 * taps feat_0..3 ([B,C,F,h,w], the raw control-net features).
 */
function buildControl(g: GraphBuilder, m: Modules, kind: 'pd_fpg' | 'arkit', taps?: readonly string[]): void {
  const base = need(m.controlBase, 'hm5_control_base');
  const proj = need(m.controlProj, 'hm5_control_proj');
  const condition = g.input('condition', 'float32', ['batch', base.plan.inChannels, 'frames', 'cond_height', 'cond_width']);
  const frames = dimsOf(g, condition, 2);
  const feats = base.forward(g, foldFrames(g, fromF32(g, condition)), expressionInputs(g, base, kind));
  const tap = tapper(g, taps);
  feats.forEach((f, i) => {
    if (taps?.includes(`feat_${i}`)) tap(`feat_${i}`, unfoldFrames(g, f, frames));
  });
  const maps = proj.forward(g, feats);
  for (const [key, name] of CONTROL_MAPS) {
    const ch = (proj.maps.get(name)?.proj.outChannels ?? 0) as number;
    g.output(toF32(g, unfoldFrames(g, maps.get(key) as Value, frames)), `control.${key}`, 'float32', ['batch', ch, 'frames', `${key}_h`, `${key}_w`]);
  }
}

/**
 * latent_model_input [B,4,F,H,W], timestep [1 or B], encoder_hidden_states [B,T,D], ref_cache.up_i [B,C,h,w],
 * control.* [B,C,F,h,w] (and pad.* [B,C,2,h,w]) → noise_pred [B,4,F,H,W]. Taps: res_cache.down_i/up_i,
 * motion_down.i.out, reference_modules_up.i.out, motion_up.i.out, up_blocks.i.out ([(B F),C,h,w]).
 */
function buildDenoise(g: GraphBuilder, m: Modules, withPad: boolean, taps?: readonly string[]): void {
  const unet = need(m.unet, 'unet_base');
  const reference = need(m.reference, 'hm5_reference');
  const motion = need(m.motion, 'hm5_motion');
  const c = unet.config;
  const levels = unetLevelChannels(unet);
  const latent = g.input('latent_model_input', 'float32', ['batch', c.inChannels, 'frames', 'height', 'width']);
  const timestep = g.input('timestep', 'float32', ['timestep_batch']);
  const ctx = g.input('encoder_hidden_states', 'float32', ['batch', 'tokens', c.crossAttentionDim[0]]);
  const level = (prefix: string, kind: 'down' | 'up', frameDim: string | null) =>
    (kind === 'down' ? levels.down : levels.up).map((ch, i) => {
      const dims = frameDim ? ['batch', ch, frameDim, `${kind}${i}_h`, `${kind}${i}_w`] : ['batch', ch, `${kind}${i}_h`, `${kind}${i}_w`];
      return fromF32(g, g.input(`${prefix}${kind === 'down' ? 'down' : 'up'}${prefix === 'control.' ? '3' : ''}_${i}`, 'float32', dims));
    });
  const refUp = level('ref_cache.', 'up', null);
  const ctrlDown = level('control.', 'down', 'frames');
  const ctrlUp = level('control.', 'up', 'frames');
  const padDown = withPad ? level('pad.', 'down', 'pad_frames') : null;
  const padUp = withPad ? level('pad.', 'up', 'pad_frames') : null;
  const frames = dimsOf(g, latent, 2);
  const batch = dimsOf(g, latent, 0);
  const tap = tapper(g, taps);
  const cond: DenoiseConditioning = { frames, reference: refUp, controlDown: ctrlDown.map((v) => foldFrames(g, v)), controlUp: ctrlUp.map((v) => foldFrames(g, v)), padDown, padUp };
  const tembAct = frameTimeEmbedding(g, unet, timestep, batch, frames);
  const context = repeatInterleave(g, fromF32(g, ctx), frames, 3);
  const run = runHookedUnet(g, unet, foldFrames(g, fromF32(g, latent)), tembAct, context, denoiseHooks(g, reference, motion, cond, tap), { tap });
  for (const [name, v] of run.cache) tap(`res_cache.${name}`, v);
  g.output(toF32(g, unfoldFrames(g, run.out as Value, frames)), 'noise_pred', 'float32', ['batch', c.outChannels, 'frames', 'height', 'width']);
}

/** The PD-FGC expression encoder: image [N,3,224,224] in [-1, 1] (aligned RGB face) → pd_fpg [N,548]. */
export function buildPdFgcGraph(encoder: PdFgcEncoder, options: Pick<Hm5BuildOptions, 'target' | 'floatType'> = {}): GraphBuilder {
  const g = new GraphBuilder({ target: options.target, floatType: options.floatType });
  const image = g.input('image', 'float32', ['batch', 3, PD_FGC_INPUT_SIZE, PD_FGC_INPUT_SIZE]);
  g.output(toF32(g, encoder.forward(g, fromF32(g, image))), 'pd_fpg', 'float32', ['batch', encoder.outputDim]);
  return g;
}

/**
 * The float type a HelloMeme graph uses on `target`: the target's own, except the reference pass, which stays fp32
 * everywhere. Its maps are cached and read by every denoiser call of a job, and they reach |x| ≈ 12, where half an
 * fp16 ulp is 4e-3: in fp16 they land 1–3e-2 from fp32 (hellomeme_v5_tiny), against 4e-3 for the denoiser's own
 * prediction. The pass runs once a job (and once per keyframe), so fp32 costs little time.
 */
export function hm5FloatType(model: Hm5Model, target: Target): FloatType {
  return model === 'hm5-reference' ? 'float32' : targetProfile(target).floatType;
}

/** Builds one HelloMeme v5 graph; weights are referenced lazily and read when the graph is written. */
export function buildHm5Graph(model: Hm5Model, modules: Modules, options: Hm5BuildOptions = {}): GraphBuilder {
  const g = new GraphBuilder({ target: options.target, floatType: options.floatType ?? hm5FloatType(model, options.target ?? 'cpu') });
  if (model === 'hm5-reference') buildReference(g, modules);
  else if (model === 'hm5-control') buildControl(g, modules, options.expression ?? 'pd_fpg', options.taps);
  else if (model === 'hm5-denoise') buildDenoise(g, modules, options.withPad ?? false, options.taps);
  else throw new InputError('BAD_OPTION', `unknown HelloMeme model '${String(model)}'`);
  return g;
}
