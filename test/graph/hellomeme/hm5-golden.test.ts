// HelloMeme v5 graphs against hellomeme_v5_tiny (HelloMeme e0c7fe1 on diffusers 0.33.1, fp32 CPU): reference
// cache, cntrl2 control maps, one denoise forward with and without keyframe pads, and the intermediates.
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../src/graph/runtime.ts';
import { f32, maxAbsDiff, readTensor } from '../golden-helpers.ts';
import { hmDir, runHm5 } from './hm5-helpers.ts';

const TOL = 1e-4;
const LEVELS = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'];
const CONTROL_KEYS = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'];
const input = (name: string) => readTensor(hmDir('inputs.safetensors'), name);
const errors: Record<string, number> = {};

function expectClose(name: string, expected: HostTensor & { data: Float32Array }, actual: HostTensor | undefined): void {
  expect(actual, name).toBeDefined();
  expect([...(actual as HostTensor).dims], name).toEqual([...expected.dims]);
  const err = maxAbsDiff(expected.data, (actual as HostTensor).data as Float32Array);
  errors[name] = err;
  expect(err, name).toBeLessThanOrEqual(TOL);
}

/** Stacks two [1, ...] tensors on axis 0. */
function stack2(a: HostTensor & { data: Float32Array }, b: HostTensor & { data: Float32Array }): HostTensor {
  const data = new Float32Array(a.data.length * 2);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return f32([2, ...a.dims.slice(1)], data);
}

async function refCacheFeeds(): Promise<Record<string, HostTensor>> {
  const feeds: Record<string, HostTensor> = {};
  for (const l of ['up_0', 'up_1', 'up_2', 'up_3']) feeds[`ref_cache.${l}`] = await readTensor(hmDir('ref_cache.safetensors'), `ref_cache.${l}`);
  for (const k of CONTROL_KEYS) feeds[`control.${k}`] = await readTensor(hmDir('control.safetensors'), `cntrl2.control.${k}`);
  feeds.latent_model_input = await input('latent_model_input');
  feeds.timestep = await input('timestep');
  feeds.encoder_hidden_states = await input('prompt_embeds');
  return feeds;
}

describe('hellomeme_v5_tiny', () => {
  it('hm5-reference matches ref_cache.* (zero latent first, timestep 0)', async () => {
    const ref = await input('ref_latent');
    const latent = stack2({ ...ref, data: new Float32Array(ref.data.length) }, ref);
    const out = await runHm5('hm5-reference', { ref_latent: latent, encoder_hidden_states: await input('prompt_embeds_ref') });
    for (const l of LEVELS) expectClose(`ref_cache.${l}`, await readTensor(hmDir('ref_cache.safetensors'), `ref_cache.${l}`), out[`ref_cache.${l}`]);
  });

  it('hm5-control matches cntrl2.control.* and the raw control-net features', async () => {
    const cond = await input('condition');
    const pd = await input('pd_fpg');
    const feeds = { condition: stack2({ ...cond, data: new Float32Array(cond.data.length).fill(-1) }, cond), pd_fpg: stack2({ ...pd, data: new Float32Array(pd.data.length) }, pd) };
    const out = await runHm5('hm5-control', feeds, { taps: ['feat_0', 'feat_1', 'feat_2', 'feat_3'] });
    for (const k of CONTROL_KEYS) expectClose(`control.${k}`, await readTensor(hmDir('control.safetensors'), `cntrl2.control.${k}`), out[`control.${k}`]);
    for (let i = 0; i < 4; i++) {
      const pos = await readTensor(hmDir('control.safetensors'), `cntrl2.controlnet_pos.feat_${i}`);
      const feat = out[`feat_${i}`];
      const half = (feat.data as Float32Array).subarray(feat.data.length / 2);
      expectClose(`cntrl2.controlnet_pos.feat_${i}`, pos, { ...feat, dims: [1, ...feat.dims.slice(1)], data: half });
    }
  });

  it('hm5-control (cntrl1: ARKit + face parts) matches cntrl1.control.* and its features', async () => {
    const cond = await input('condition');
    const arkit = await input('drive_coeff');
    const parts = await input('face_parts');
    const zeros = (t: HostTensor & { data: Float32Array }) => ({ ...t, data: new Float32Array(t.data.length) });
    const feeds = { condition: stack2({ ...cond, data: new Float32Array(cond.data.length).fill(-1) }, cond), drive_coeff: stack2(zeros(arkit), arkit), face_parts: stack2(zeros(parts), parts) };
    const out = await runHm5('hm5-control', feeds, { expression: 'arkit', taps: ['feat_0', 'feat_1', 'feat_2', 'feat_3'] });
    for (const k of ['up3_0', 'down3_3']) expectClose(`cntrl1.control.${k}`, await readTensor(hmDir('control.safetensors'), `cntrl1.control.${k}`), out[`control.${k}`]);
    for (let i = 0; i < 4; i++) {
      const feat = out[`feat_${i}`];
      const per = feat.data.length / 2;
      const frameSize = feat.dims[3] * feat.dims[4];
      const neg = await readTensor(hmDir('control.safetensors'), `cntrl1.controlnet_neg.feat_${i}`);
      const pos = await readTensor(hmDir('control.safetensors'), `cntrl1.controlnet_pos.feat_${i}`);
      // The negative branch is one frame in the golden; every uncond frame equals it (channel-major [C,F,h,w]).
      const uncond = new Float32Array(neg.data.length);
      for (let c = 0; c < feat.dims[1]; c++) uncond.set((feat.data as Float32Array).subarray(c * feat.dims[2] * frameSize, c * feat.dims[2] * frameSize + frameSize), c * frameSize);
      expectClose(`cntrl1.controlnet_neg.feat_${i}`, neg, { ...neg, data: uncond });
      expectClose(`cntrl1.controlnet_pos.feat_${i}`, pos, { ...feat, dims: [1, ...feat.dims.slice(1)], data: (feat.data as Float32Array).subarray(per) });
    }
  });

  it('hm5-denoise matches noise_pred, res_cache and the hook intermediates (no pads)', async () => {
    const taps = ['motion_down.0.out', 'motion_down.1.out', 'motion_down.2.out', 'motion_down.3.out', 'reference_modules_up.0.out', 'reference_modules_up.1.out', 'reference_modules_up.2.out', 'motion_up.0.out', 'motion_up.1.out', 'motion_up.2.out'];
    const resTaps = LEVELS.map((l) => `res_cache.${l}`);
    const out = await runHm5('hm5-denoise', await refCacheFeeds(), { taps: [...taps, ...resTaps] });
    expectClose('noise_pred', await readTensor(hmDir('denoise.safetensors'), 'noise_pred'), out.noise_pred);
    for (const t of taps) expectClose(t, await readTensor(hmDir('denoise_intermediates.safetensors'), t), out[t]);
    for (const t of resTaps) expectClose(t, await readTensor(hmDir('denoise.safetensors'), t), out[t]);
  });

  it('hm5-denoise with keyframe pads matches noise_pred_with_pad', async () => {
    const feeds = await refCacheFeeds();
    for (const l of LEVELS) feeds[`pad.${l}`] = await readTensor(hmDir('denoise.safetensors'), `pad.${l}`);
    const out = await runHm5('hm5-denoise', feeds, { withPad: true });
    expectClose('noise_pred_with_pad', await readTensor(hmDir('denoise.safetensors'), 'noise_pred_with_pad'), out.noise_pred);
  });

  it('float16 graphs (cpu target) stay near the fp32 goldens', async () => {
    const out = await runHm5('hm5-denoise', await refCacheFeeds(), { floatType: 'float16' });
    const expected = await readTensor(hmDir('denoise.safetensors'), 'noise_pred');
    const err = maxAbsDiff(expected.data, out.noise_pred.data as Float32Array);
    errors['noise_pred (fp16)'] = err;
    // fp16 keeps ~3 significant digits; values reach |2.5|. A wrong cast or path lands orders of magnitude further.
    expect(err).toBeLessThanOrEqual(2e-2);
  });

  afterAll(() => {
    process.stdout.write(`hm5 golden max abs errors: ${JSON.stringify(errors)}\n`);
  });
});
