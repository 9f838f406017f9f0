// HelloMeme graphs on another tiny configuration (other channel plan, 2 layers per block, non-power-of-two latent,
// other frame and token counts) with random weights: consistency with the SD1.5 UNet graph, per-frame and per-batch
// independence where the official modules have it, determinism, and strict binding errors that name tensors.
import { describe, expect, it } from 'vitest';
import { buildHm5Graph } from '../../../src/graph/models/hellomeme/build-graph.ts';
import { bindHm5Modules } from '../../../src/graph/models/hellomeme/load-modules.ts';
import { encodeModelInline } from '../../../src/graph/onnx/model-writer.ts';
import { createSession, type HostTensor } from '../../../src/graph/runtime.ts';
import { batchSlice, buildAndRun, f32, maxAbsDiff, randn } from '../golden-helpers.ts';
import { randomHm5Parts, sessionFromParts, type TinyPlan, tinyUnetConfig } from './hm5-helpers.ts';

const PLAN: TinyPlan = { unetChannels: [32, 64, 96, 96], layersPerBlock: 2, crossDim: 48, controlMid: [32, 64, 96], controlOut: 32, controlContext: 64 };
const parts = randomHm5Parts(PLAN, 7);
const LATENT = 24;
const TOKENS = 5;
const LEVELS = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'];
const CONTROL_KEYS = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'];
const f32data = (t: HostTensor) => t.data as Float32Array;

/** Frame f of a [B,C,F,...] tensor as [B,C,1,...]. */
function frameOf(t: HostTensor, f: number): HostTensor {
  const [b, c, frames, ...rest] = t.dims;
  const per = rest.reduce((a, x) => a * x, 1);
  const out = new Float32Array(b * c * per);
  for (let i = 0; i < b * c; i++) out.set(f32data(t).subarray((i * frames + f) * per, (i * frames + f + 1) * per), i * per);
  return f32([b, c, 1, ...rest], out);
}

describe('hm5 graphs on another tiny plan', () => {
  it('hm5-reference equals the SD1.5 UNet graph block outputs at t = 0', async () => {
    const latent = f32([2, 4, LATENT, LATENT], randn(2 * 4 * LATENT * LATENT, 11));
    const ctx = f32([2, TOKENS, PLAN.crossDim], randn(2 * TOKENS * PLAN.crossDim, 12));
    const { session } = await sessionFromParts('hm5-reference', parts);
    const ref = await session.run({ ref_latent: latent, encoder_hidden_states: ctx }).finally(() => session.dispose());
    const taps = ['down_blocks.0.out', 'down_blocks.1.out', 'down_blocks.2.out', 'down_blocks.3.out', 'mid_block.out', 'up_blocks.0.out', 'up_blocks.1.out', 'up_blocks.2.out'];
    const unet = await buildAndRun('unet', tinyUnetConfig(PLAN), parts.unet_base?.store as never, { sample: latent, encoder_hidden_states: ctx, timestep: f32([2], new Float32Array(2)) }, { taps });
    const same = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'].map((l, i) => [l, taps[i]]);
    for (const [level, tap] of same) {
      expect(ref[`ref_cache.${level}`].dims, level).toEqual(unet[tap].dims);
      // Same weights and ops; only ORT's fusion and reduction order differ between the two graphs.
      expect(maxAbsDiff(f32data(unet[tap]), f32data(ref[`ref_cache.${level}`])), level).toBeLessThanOrEqual(1e-4);
    }
  });

  it('hm5-control treats every frame and batch element on its own', async () => {
    const frames = 3;
    const side = LATENT * 8;
    const condition = f32([2, 3, frames, side, side], randn(2 * 3 * frames * side * side, 21));
    const pd = f32([2, frames, 548], randn(2 * frames * 548, 22, 0.2));
    const { session } = await sessionFromParts('hm5-control', parts);
    try {
      const all = await session.run({ condition, pd_fpg: pd });
      const pdData = new Float32Array(2 * 548);
      for (let b = 0; b < 2; b++) pdData.set(f32data(pd).subarray((b * frames + 2) * 548, (b * frames + 3) * 548), b * 548);
      const pdFrame = f32([2, 1, 548], pdData);
      const one = await session.run({ condition: frameOf(condition, 2), pd_fpg: pdFrame });
      for (const k of CONTROL_KEYS) {
        expect(all[`control.${k}`].dims[2], k).toBe(frames);
        expect(maxAbsDiff(f32data(frameOf(all[`control.${k}`], 2)), f32data(one[`control.${k}`])), k).toBeLessThanOrEqual(1e-5);
      }
      expect(all['control.up3_3'].dims).toEqual([2, PLAN.unetChannels[1], frames, LATENT, LATENT]);
      expect(all['control.down3_2'].dims).toEqual([2, PLAN.unetChannels[2], frames, LATENT / 8, LATENT / 8]);
    } finally {
      await session.dispose();
    }
  });

  it('hm5-denoise with pads: CFG halves independent, deterministic across builds, shapes per level', async () => {
    const frames = 3;
    const feeds: Record<string, HostTensor> = {
      latent_model_input: f32([2, 4, frames, LATENT, LATENT], randn(2 * 4 * frames * LATENT * LATENT, 31)),
      timestep: f32([1], Float32Array.of(999)),
      encoder_hidden_states: f32([2, TOKENS, PLAN.crossDim], randn(2 * TOKENS * PLAN.crossDim, 32)),
    };
    const level = (l: string) => {
      const [kind, idx] = l.split('_');
      const i = Number(idx);
      const ch = kind === 'down' ? PLAN.unetChannels[i] : [96, 96, 96, 64][i];
      const size = kind === 'down' ? [12, 6, 3, 3][i] : [3, 6, 12, 24][i];
      return { ch, size };
    };
    let seed = 40;
    for (const l of LEVELS) {
      const { ch, size } = level(l);
      const n = (extra: number) => 2 * ch * extra * size * size;
      if (l.startsWith('up')) feeds[`ref_cache.${l}`] = f32([2, ch, size, size], randn(n(1), seed++));
      feeds[`pad.${l}`] = f32([2, ch, 2, size, size], randn(n(2), seed++));
      feeds[`control.${l.replace('_', '3_')}`] = f32([2, ch, frames, size, size], randn(n(frames), seed++, 0.3));
    }
    // The same modules build byte-identical models, and a session gives bit-identical results run after run.
    const modules = bindHm5Modules('hm5-denoise', parts);
    const bytes = await encodeModelInline(buildHm5Graph('hm5-denoise', modules, { withPad: true }));
    expect(Buffer.from(await encodeModelInline(buildHm5Graph('hm5-denoise', modules, { withPad: true }))).equals(Buffer.from(bytes))).toBe(true);
    const session = await createSession(bytes, { provider: 'cpu', threads: 1 });
    try {
      const a = await session.run(feeds);
      const b = await session.run(feeds);
      expect(a.noise_pred.dims).toEqual([2, 4, frames, LATENT, LATENT]);
      expect(Buffer.from(f32data(a.noise_pred).buffer).equals(Buffer.from(f32data(b.noise_pred).buffer))).toBe(true);
      const cond: Record<string, HostTensor> = {};
      for (const [name, t] of Object.entries(feeds)) cond[name] = name === 'timestep' ? t : batchSlice(t, 1, 1);
      const c = await session.run(cond);
      expect(maxAbsDiff(f32data(batchSlice(a.noise_pred, 1, 1)), f32data(c.noise_pred))).toBeLessThanOrEqual(1e-5);
      // The pads reach the result (the attn_pad path is live).
      const noPad = { ...feeds, 'pad.up_3': f32(feeds['pad.up_3'].dims as number[], new Float32Array(feeds['pad.up_3'].data.length)) };
      const d = await session.run(noPad);
      expect(maxAbsDiff(f32data(a.noise_pred), f32data(d.noise_pred))).toBeGreaterThan(1e-3);
    } finally {
      await session.dispose();
    }
  });

  it('binding names every missing and unexpected tensor of a module folder', () => {
    const motion = parts.hm5_motion;
    if (!motion) throw new Error('no motion part');
    const broken = motion.store.mapNames((n) => (n === 'motion_up.1.attn_pad.proj_in.weight' ? 'motion_up.1.attn_pad.proj_inn.weight' : n === 'motion_down.0.attn1.norm.bias' ? null : n));
    const attempt = () => bindHm5Modules('hm5-denoise', { ...parts, hm5_motion: { config: motion.config, store: broken } });
    expect(attempt).toThrow(/BAD_WEIGHTS|do not fit/);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('hm5_motion/');
      expect(message).toContain('motion_down.0.attn1.norm.bias');
      expect(message).toContain('motion_up.1.attn_pad.proj_in.weight');
      expect(message).toContain('motion_up.1.attn_pad.proj_inn.weight');
      expect((error as { code?: string }).code).toBe('BAD_WEIGHTS');
    }
  });
});
