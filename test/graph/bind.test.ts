// Strict binding: a renamed, missing, extra or mis-shaped tensor fails with an error that names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSd15Graph } from '../../src/graph/models/sd15/build-graph.ts';
import { type WeightStore, hostEntry, openSafetensorsStore } from '../../src/graph/weights/weight-store.ts';
import { golden, readJson } from './golden-helpers.ts';

const config = readJson(golden('unet_sd15_tiny', 'config.json'));
let store: WeightStore;
beforeAll(async () => {
  store = await openSafetensorsStore([golden('unet_sd15_tiny', 'diffusion_pytorch_model.safetensors')]);
});
afterAll(() => store.close());

function buildError(s: WeightStore): { code?: string; message: string } {
  try {
    buildSd15Graph('unet', config, s);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('the build did not fail');
}

describe('binding a state dict', () => {
  const victim = 'down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_k.weight';

  it('accepts the exact key set', () => {
    expect(() => buildSd15Graph('unet', config, store)).not.toThrow();
  });

  it('names a renamed tensor twice: missing under its old name, unexpected under the new one', () => {
    const renamed = store.mapNames((n) => (n === victim ? 'down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_key.weight' : n));
    const error = buildError(renamed);
    expect(error.code).toBe('BAD_WEIGHTS');
    expect(error.message).toContain(`1 missing: ${victim} [24, 32]`);
    expect(error.message).toContain('1 unexpected (not in the model): down_blocks.1.attentions.0.transformer_blocks.0.attn2.to_key.weight');
  });

  it('names a missing tensor', () => {
    const error = buildError(store.mapNames((n) => (n === 'mid_block.resnets.1.norm2.bias' ? null : n)));
    expect(error.message).toContain('1 missing: mid_block.resnets.1.norm2.bias [32]');
    expect(error.message).not.toContain('unexpected');
  });

  it('names an extra tensor', () => {
    const extra = store.mapNames((n) => n);
    extra.entries.set('up_blocks.3.attentions.2.extra_scale', hostEntry([1], Float32Array.of(1)));
    const error = buildError(extra);
    expect(error.message).toContain('1 unexpected (not in the model): up_blocks.3.attentions.2.extra_scale');
    expect(error.message).not.toContain('missing');
  });

  it('names a tensor with the wrong shape', () => {
    const bad = store.mapNames((n) => n);
    bad.entries.set('conv_in.weight', hostEntry([16, 4, 1, 1], new Float32Array(64)));
    const error = buildError(bad);
    expect(error.message).toContain('1 with the wrong shape: conv_in.weight is [16, 4, 1, 1], the model expects [16, 4, 3, 3]');
  });

  it('reports every problem at once', () => {
    const bad = store.mapNames((n) => (n.startsWith('conv_out.') ? null : n));
    const error = buildError(bad);
    expect(error.message).toContain('2 missing: conv_out.weight [4, 16, 3, 3]; conv_out.bias [4]');
  });
});
