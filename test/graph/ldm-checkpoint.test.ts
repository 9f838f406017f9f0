// Single-file checkpoints with the original ldm names: the test writes one from the golden weights with its own
// hand-written renaming, then the loader must bring every part back and reproduce the golden outputs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSd15Model } from '../../src/graph/models/sd15/load-model.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { type TensorSpec, writeSafetensorsStreaming } from '../../src/graph/weights/safetensors-writer.ts';
import { buildAndRun, golden, maxAbsDiff, readTensor } from './golden-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ldm-'));
const ckpt = join(dir, 'tiny-sd15.safetensors');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RESNET_INV: Record<string, string> = { norm1: 'in_layers.0', conv1: 'in_layers.2', time_emb_proj: 'emb_layers.1', norm2: 'out_layers.0', conv2: 'out_layers.3', conv_shortcut: 'skip_connection' };
const res = (rest: string) => rest.replace(/^(\w+)\./, (_m, p: string) => `${RESNET_INV[p] ?? p}.`);

/** diffusers → ldm for the golden UNet (4 blocks, layers_per_block 2, up block 0 without attention). */
function unetToLdm(n: string): string {
  const fixed: [RegExp, string][] = [
    [/^time_embedding\.linear_1\./, 'time_embed.0.'],
    [/^time_embedding\.linear_2\./, 'time_embed.2.'],
    [/^conv_in\./, 'input_blocks.0.0.'],
    [/^conv_norm_out\./, 'out.0.'],
    [/^conv_out\./, 'out.2.'],
  ];
  for (const [re, to] of fixed) if (re.test(n)) return n.replace(re, to);
  let m = /^down_blocks\.(\d)\.(resnets|attentions)\.(\d)\.(.+)$/.exec(n);
  if (m) return `input_blocks.${1 + 3 * +m[1] + +m[3]}.${m[2] === 'resnets' ? `0.${res(m[4])}` : `1.${m[4]}`}`;
  m = /^down_blocks\.(\d)\.downsamplers\.0\.conv\.(.+)$/.exec(n);
  if (m) return `input_blocks.${3 + 3 * +m[1]}.0.op.${m[2]}`;
  m = /^mid_block\.(resnets|attentions)\.(\d)\.(.+)$/.exec(n);
  if (m) return m[1] === 'attentions' ? `middle_block.1.${m[3]}` : `middle_block.${m[2] === '0' ? 0 : 2}.${res(m[3])}`;
  m = /^up_blocks\.(\d)\.(resnets|attentions)\.(\d)\.(.+)$/.exec(n);
  if (m) return `output_blocks.${3 * +m[1] + +m[3]}.${m[2] === 'resnets' ? `0.${res(m[4])}` : `1.${m[4]}`}`;
  m = /^up_blocks\.(\d)\.upsamplers\.0\.conv\.(.+)$/.exec(n);
  if (m) return `output_blocks.${3 * +m[1] + 2}.${m[1] === '0' ? 1 : 2}.conv.${m[2]}`;
  throw new Error(`unmapped ${n}`);
}

const ATTN_INV: Record<string, string> = { group_norm: 'norm', to_q: 'q', to_k: 'k', to_v: 'v', 'to_out.0': 'proj_out' };

/** diffusers → ldm for the golden VAE (4 levels). */
function vaeToLdm(n: string): string {
  let m = /^(encoder|decoder)\.(down|up)_blocks\.(\d)\.(resnets|downsamplers|upsamplers)\.(\d)\.(.+)$/.exec(n);
  if (m) {
    const level = m[2] === 'up' ? 3 - +m[3] : +m[3];
    if (m[4] === 'resnets') return `${m[1]}.${m[2]}.${level}.block.${m[5]}.${m[6].replace('conv_shortcut', 'nin_shortcut')}`;
    return `${m[1]}.${m[2]}.${level}.${m[2]}sample.${m[6]}`;
  }
  m = /^(encoder|decoder)\.mid_block\.resnets\.(\d)\.(.+)$/.exec(n);
  if (m) return `${m[1]}.mid.block_${+m[2] + 1}.${m[3]}`;
  m = /^(encoder|decoder)\.mid_block\.attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(.+)$/.exec(n);
  if (m) return `${m[1]}.mid.attn_1.${ATTN_INV[m[2]]}.${m[3]}`;
  return n.replace(/^(encoder|decoder)\.conv_norm_out\./, '$1.norm_out.');
}

beforeAll(async () => {
  const parts: { file: string; prefix: string; rename: (n: string) => string | null }[] = [
    { file: golden('unet_sd15_tiny', 'diffusion_pytorch_model.safetensors'), prefix: 'model.diffusion_model.', rename: unetToLdm },
    { file: golden('vae_sd15_tiny', 'diffusion_pytorch_model.safetensors'), prefix: 'first_stage_model.', rename: vaeToLdm },
    { file: golden('clip_text_tiny', 'hf_clip_text_model.safetensors'), prefix: 'cond_stage_model.transformer.', rename: (n) => (n === 'text_projection.weight' ? null : n) },
  ];
  const specs: (TensorSpec & { source: string; from: string })[] = [];
  for (const p of parts) {
    await SafetensorsFile.with(p.file, async (f) => {
      for (const info of f.tensors.values()) {
        const name = p.rename(info.name);
        if (!name) continue;
        // ldm keeps the VAE attention projections as 1×1 convs
        const shape = /mid\.attn_1\.(q|k|v|proj_out)\.weight$/.test(name) ? [...info.shape, 1, 1] : [...info.shape];
        specs.push({ name: p.prefix + name, dtype: 'F32', shape, source: p.file, from: info.name });
      }
    });
  }
  await writeSafetensorsStreaming(ckpt, specs, (_s, i) => SafetensorsFile.with(specs[i].source, (f) => f.readFloat32(specs[i].from)));
});

describe('single-file ldm checkpoint', () => {
  it('UNet part reproduces unet_sd15_tiny out_batch_t', async () => {
    const loaded = await loadSd15Model('unet', ckpt, golden('unet_sd15_tiny', 'config.json'));
    try {
      const inputs = golden('unet_sd15_tiny', 'inputs.safetensors');
      const out = await buildAndRun('unet', loaded.config, loaded.store, {
        sample: await readTensor(inputs, 'sample'),
        encoder_hidden_states: await readTensor(inputs, 'encoder_hidden_states'),
        timestep: await readTensor(inputs, 'timesteps_batch'),
      });
      const ref = await readTensor(golden('unet_sd15_tiny', 'outputs.safetensors'), 'out_batch_t');
      expect(maxAbsDiff(ref.data, out.out_sample.data as Float32Array)).toBeLessThanOrEqual(1e-4);
    } finally {
      await loaded.store.close();
    }
  });

  it('VAE part reproduces the posterior mean and decoded_z', async () => {
    const config = golden('vae_sd15_tiny', 'config.json');
    const inputs = golden('vae_sd15_tiny', 'inputs.safetensors');
    const outputs = golden('vae_sd15_tiny', 'outputs.safetensors');
    const enc = await loadSd15Model('vae-encoder', ckpt, config);
    const dec = await loadSd15Model('vae-decoder', ckpt, config);
    try {
      const post = await buildAndRun('vae-encoder', enc.config, enc.store, { image: await readTensor(inputs, 'image') });
      expect(maxAbsDiff((await readTensor(outputs, 'posterior_mean')).data, post.posterior_mean.data as Float32Array)).toBeLessThanOrEqual(1e-4);
      const img = await buildAndRun('vae-decoder', dec.config, dec.store, { latent: await readTensor(inputs, 'z') });
      expect(maxAbsDiff((await readTensor(outputs, 'decoded_z')).data, img.image_out.data as Float32Array)).toBeLessThanOrEqual(1e-4);
    } finally {
      await enc.store.close();
      await dec.store.close();
    }
  });

  it('text encoder part reproduces last_hidden_state', async () => {
    const loaded = await loadSd15Model('clip-text', ckpt, golden('clip_text_tiny', 'hf_config.json'));
    try {
      const ids = await SafetensorsFile.with(golden('clip_text_tiny', 'inputs.safetensors'), (f) => f.readInt64('input_ids'));
      const out = await buildAndRun('clip-text', loaded.config, loaded.store, { input_ids: { elem: 'int64', dims: [3, 77], data: ids } });
      const ref = await readTensor(golden('clip_text_tiny', 'outputs.safetensors'), 'last_hidden_state');
      expect(maxAbsDiff(ref.data, out.last_hidden_state.data as Float32Array)).toBeLessThanOrEqual(1e-4);
    } finally {
      await loaded.store.close();
    }
  });

  it('names the checkpoint key that does not fit', async () => {
    const loaded = await loadSd15Model('unet', ckpt, golden('unet_sd15_tiny', 'config.json'));
    try {
      // with layers_per_block 1 the ldm indices land on other blocks, so binding must fail loudly
      const { buildSd15Graph } = await import('../../src/graph/models/sd15/build-graph.ts');
      const config = { ...loaded.config, layers_per_block: 1 };
      expect(() => buildSd15Graph('unet', config, loaded.store)).toThrow(/missing|unexpected/);
    } finally {
      await loaded.store.close();
    }
  });
});
