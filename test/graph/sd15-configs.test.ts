// Other tiny configurations from random weights: channel plans, head counts, linear projections, batch sizes
// and non-square latents must run, be deterministic, and keep batch elements independent.
import { describe, expect, it } from 'vitest';
import { sd15Module } from '../../src/graph/models/sd15/build-graph.ts';
import type { HostTensor } from '../../src/graph/runtime.ts';
import { batchSlice, f32, maxAbsDiff, randn, randomStore, sessionFor } from './golden-helpers.ts';

const unetConfig = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [32, 48, 64],
  layers_per_block: 1,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  attention_head_dim: [2, 4, 8],
  cross_attention_dim: 24,
  norm_num_groups: 16,
  use_linear_projection: true,
  transformer_layers_per_block: [1, 2, 1],
  flip_sin_to_cos: true,
  freq_shift: 0,
};

const data = (t: HostTensor) => t.data as Float32Array;

describe('UNet with another channel plan and a non-square 10×14 latent', () => {
  it('runs, is deterministic, and treats batch elements independently', async () => {
    const store = randomStore(sd15Module('unet', unetConfig), 11);
    const session = await sessionFor('unet', unetConfig, store);
    try {
      const feeds = { sample: f32([2, 4, 10, 14], randn(2 * 4 * 140, 5)), timestep: f32([2], Float32Array.of(999, 3)), encoder_hidden_states: f32([2, 5, 24], randn(2 * 5 * 24, 6)) };
      const out = (await session.run(feeds)).out_sample;
      expect(out.dims).toEqual([2, 4, 10, 14]);
      expect(data(out).every(Number.isFinite)).toBe(true);
      const again = (await session.run(feeds)).out_sample;
      expect(maxAbsDiff(data(out), data(again))).toBe(0);
      for (const b of [0, 1]) {
        const single = await session.run({ sample: batchSlice(feeds.sample, b, 1), timestep: batchSlice(feeds.timestep, b, 1), encoder_hidden_states: batchSlice(feeds.encoder_hidden_states, b, 1) });
        expect(maxAbsDiff(batchSlice(out, b, 1).data, data(single.out_sample))).toBeLessThan(1e-5);
      }
      const otherT = (await session.run({ ...feeds, timestep: f32([2], Float32Array.of(500, 3)) })).out_sample;
      expect(maxAbsDiff(batchSlice(out, 0, 1).data, batchSlice(otherT, 0, 1).data)).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(batchSlice(out, 1, 1).data, batchSlice(otherT, 1, 1).data)).toBeLessThan(1e-5);
    } finally {
      await session.dispose();
    }
  });

  it('rejects feeds with a readable error naming the input', async () => {
    const store = randomStore(sd15Module('unet', unetConfig), 11);
    const session = await sessionFor('unet', unetConfig, store);
    try {
      const bad = session.run({ sample: f32([2, 3, 8, 8], new Float32Array(384)), timestep: f32([1], Float32Array.of(1)), encoder_hidden_states: f32([2, 5, 24], new Float32Array(240)) });
      await expect(bad).rejects.toMatchObject({ code: 'BAD_TENSOR', message: expect.stringContaining("input 'sample' dim 1 is 3, expected 4") });
      await expect(bad).rejects.toThrow("input 'timestep' dim 0 (batch) is 1 but 'sample' has batch=2");
    } finally {
      await session.dispose();
    }
  });
});

describe('VAE with two levels and a non-square image', () => {
  const vaeConfig = { block_out_channels: [16, 32], layers_per_block: 1, norm_num_groups: 8, latent_channels: 4, down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'], up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'] };

  it('encodes 24×40 to a 12×20 latent and decodes it back to 24×40, batch-independent', async () => {
    const store = randomStore(sd15Module('vae-encoder', vaeConfig), 21);
    const enc = await sessionFor('vae-encoder', vaeConfig, store);
    const dec = await sessionFor('vae-decoder', vaeConfig, store);
    try {
      const image = f32([2, 3, 24, 40], randn(2 * 3 * 960, 9).map((v) => Math.tanh(v)));
      const post = await enc.run({ image });
      expect(post.posterior_mean.dims).toEqual([2, 4, 12, 20]);
      expect(data(post.posterior_logvar).every((v) => v >= -30 && v <= 20)).toBe(true);
      const single = await enc.run({ image: batchSlice(image, 1, 1) });
      expect(maxAbsDiff(batchSlice(post.posterior_mean, 1, 1).data, data(single.posterior_mean))).toBeLessThan(1e-5);
      const decoded = await dec.run({ latent: post.posterior_mean as HostTensor });
      expect(decoded.image_out.dims).toEqual([2, 3, 24, 40]);
      expect(data(decoded.image_out).every(Number.isFinite)).toBe(true);
    } finally {
      await enc.dispose();
      await dec.dispose();
    }
  });
});

describe('CLIP text with other sizes', () => {
  const clipConfig = { hidden_size: 48, intermediate_size: 96, num_attention_heads: 6, num_hidden_layers: 3, max_position_embeddings: 16, vocab_size: 50, hidden_act: 'gelu', projection_dim: 8 };

  it('is causal, pools at the first EOT and adds text_embeds with a projection', async () => {
    const store = randomStore(sd15Module('clip-text', clipConfig, { clipProjection: true }), 31);
    const session = await sessionFor('clip-text', clipConfig, store);
    try {
      const row = [48, 5, 9, 13, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49, 49];
      const changed = [...row];
      changed[3] = 20;
      const ids = { elem: 'int64' as const, dims: [2, 16], data: BigInt64Array.from([...row, ...changed].map(BigInt)) };
      const out = await session.run({ input_ids: ids });
      const last = out.last_hidden_state;
      expect(last.dims).toEqual([2, 16, 48]);
      expect(out.text_embeds.dims).toEqual([2, 8]);
      expect(out['hidden_states.3'].dims).toEqual([2, 16, 48]);
      // positions before the changed token see nothing of it; later ones do
      const at = (b: number, p: number) => data(last).slice((b * 16 + p) * 48, (b * 16 + p + 1) * 48);
      expect(maxAbsDiff(at(0, 2), at(1, 2))).toBe(0);
      expect(maxAbsDiff(at(0, 3), at(1, 3))).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(data(out.pooled_output).slice(0, 48), at(0, 4))).toBe(0);
    } finally {
      await session.dispose();
    }
  });
});
