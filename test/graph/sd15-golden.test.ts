// The three SD1.5 models against the reference goldens (diffusers / openai CLIP, tiny configs, fp32 CPU).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertOpenaiClipNames } from '../../src/graph/weights/clip-openai-names.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { type WeightStore, openSafetensorsStore } from '../../src/graph/weights/weight-store.ts';
import { buildAndRun, f32, golden, maxAbsDiff, readJson, readTensor } from './golden-helpers.ts';

const TOL = 1e-4;

describe('unet_sd15_tiny', () => {
  const dir = (f: string) => golden('unet_sd15_tiny', f);
  let store: WeightStore;
  beforeAll(async () => {
    store = await openSafetensorsStore([dir('diffusion_pytorch_model.safetensors')]);
  });
  afterAll(() => store.close());

  const intermediates = ['time_proj.out', 'time_embedding.out', 'conv_in.out', 'down_blocks.0.out', 'down_blocks.1.out', 'down_blocks.2.out', 'down_blocks.3.out', 'mid_block.out', 'up_blocks.0.out', 'up_blocks.1.out', 'up_blocks.2.out', 'up_blocks.3.out', 'conv_norm_out.out'];

  it('matches out_scalar_t and every intermediate (t = 537)', async () => {
    const sample = await readTensor(dir('inputs.safetensors'), 'sample');
    const ctx = await readTensor(dir('inputs.safetensors'), 'encoder_hidden_states');
    const t = (await readTensor(dir('inputs.safetensors'), 'timestep_scalar')).data[0];
    const out = await buildAndRun('unet', readJson(dir('config.json')), store, { sample, encoder_hidden_states: ctx, timestep: f32([2], Float32Array.of(t, t)) }, { taps: intermediates });
    const expected = await readTensor(dir('outputs.safetensors'), 'out_scalar_t');
    expect(maxAbsDiff(expected.data, out.out_sample.data as Float32Array)).toBeLessThanOrEqual(TOL);
    for (const name of intermediates) {
      const ref = await readTensor(dir('intermediates.safetensors'), name);
      expect(out[name].dims, name).toEqual(ref.dims);
      expect(maxAbsDiff(ref.data, out[name].data as Float32Array), name).toBeLessThanOrEqual(TOL);
    }
  });

  it('matches out_batch_t (t = [999, 1])', async () => {
    const sample = await readTensor(dir('inputs.safetensors'), 'sample');
    const ctx = await readTensor(dir('inputs.safetensors'), 'encoder_hidden_states');
    const timestep = await readTensor(dir('inputs.safetensors'), 'timesteps_batch');
    const out = await buildAndRun('unet', readJson(dir('config.json')), store, { sample, encoder_hidden_states: ctx, timestep });
    const expected = await readTensor(dir('outputs.safetensors'), 'out_batch_t');
    expect(maxAbsDiff(expected.data, out.out_sample.data as Float32Array)).toBeLessThanOrEqual(TOL);
  });
});

describe('vae_sd15_tiny', () => {
  const dir = (f: string) => golden('vae_sd15_tiny', f);
  let store: WeightStore;
  beforeAll(async () => {
    store = await openSafetensorsStore([dir('diffusion_pytorch_model.safetensors')]);
  });
  afterAll(() => store.close());

  it('encoder: posterior mean/logvar and intermediates', async () => {
    const taps = ['encoder.conv_in.out', 'encoder.down_blocks.0.out', 'encoder.down_blocks.1.out', 'encoder.down_blocks.2.out', 'encoder.down_blocks.3.out', 'encoder.mid_block.out', 'encoder.conv_out.out', 'quant_conv.out'].map((n) => `encode.${n}`);
    const image = await readTensor(dir('inputs.safetensors'), 'image');
    const out = await buildAndRun('vae-encoder', readJson(dir('config.json')), store, { image }, { taps });
    for (const name of ['posterior_mean', 'posterior_logvar']) {
      const ref = await readTensor(dir('outputs.safetensors'), name);
      expect(maxAbsDiff(ref.data, out[name].data as Float32Array), name).toBeLessThanOrEqual(TOL);
    }
    for (const name of taps) {
      const ref = await readTensor(dir('intermediates.safetensors'), name);
      expect(maxAbsDiff(ref.data, out[name].data as Float32Array), name).toBeLessThanOrEqual(TOL);
    }
  });

  it('decoder: decoded_z, decoded_posterior_mean and intermediates', async () => {
    const config = readJson(dir('config.json'));
    const taps = ['post_quant_conv.out', 'decoder.conv_in.out', 'decoder.mid_block.out', 'decoder.up_blocks.0.out', 'decoder.up_blocks.1.out', 'decoder.up_blocks.2.out', 'decoder.up_blocks.3.out'].map((n) => `decode.${n}`);
    const z = await readTensor(dir('inputs.safetensors'), 'z');
    const out = await buildAndRun('vae-decoder', config, store, { latent: z }, { taps });
    const ref = await readTensor(dir('outputs.safetensors'), 'decoded_z');
    expect(maxAbsDiff(ref.data, out.image_out.data as Float32Array)).toBeLessThanOrEqual(TOL);
    for (const name of taps) {
      const t = await readTensor(dir('intermediates.safetensors'), name);
      expect(maxAbsDiff(t.data, out[name].data as Float32Array), name).toBeLessThanOrEqual(TOL);
    }
    const mean = await readTensor(dir('outputs.safetensors'), 'posterior_mean');
    const fromMean = await buildAndRun('vae-decoder', config, store, { latent: mean });
    const refMean = await readTensor(dir('outputs.safetensors'), 'decoded_posterior_mean');
    expect(maxAbsDiff(refMean.data, fromMean.image_out.data as Float32Array)).toBeLessThanOrEqual(TOL);
  });
});

describe('clip_text_tiny', () => {
  const dir = (f: string) => golden('clip_text_tiny', f);
  const names = ['last_hidden_state', 'hidden_states.0', 'hidden_states.1', 'hidden_states.2', 'pooled_output', 'text_embeds'];

  async function check(store: WeightStore): Promise<void> {
    const ids = await SafetensorsFile.with(dir('inputs.safetensors'), (f) => f.readInt64('input_ids'));
    const out = await buildAndRun('clip-text', readJson(dir('hf_config.json')), store, { input_ids: { elem: 'int64', dims: [3, 77], data: ids } });
    for (const name of names) {
      const ref = await readTensor(dir('outputs.safetensors'), name);
      expect(out[name].dims, name).toEqual(ref.dims);
      expect(maxAbsDiff(ref.data, out[name].data as Float32Array), name).toBeLessThanOrEqual(TOL);
    }
  }

  it('HF CLIPTextModelWithProjection keys', async () => {
    const store = await openSafetensorsStore([dir('hf_clip_text_model.safetensors')]);
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });

  it('original OpenAI keys (fused in_proj, text_projection as [D, P])', async () => {
    const store = convertOpenaiClipNames(await openSafetensorsStore([dir('openai_clip_text.safetensors')]));
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });
});
