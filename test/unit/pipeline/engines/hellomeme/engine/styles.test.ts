// LoRA styles on the tiny HelloMeme models: the graphs built with a style hold W + scale·(alpha/rank)·up·down
// (computed here in float64 from the files, written as plain weights and compiled without a style, the two must
// agree), only the denoiser and the main text encoder are styled (HelloMeme's stylize x1), and end to end a style
// changes the frames while no style, before or after a styled job, renders exactly as the unstyled engine.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../../../../src/graph/weights/safetensors-writer.ts';
import { createHelloMemeEngine, type HelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { type HelloMemeSessions, openHelloMemeSessions } from '../../../../../../src/pipeline/engines/hellomeme/session-set.ts';
import { writeTinyStyle } from '../../../../../helpers/tiny-hellomeme/tiny-lora.ts';
import { seededNormals } from '../../../../../helpers/tiny-hellomeme/tiny-weights.ts';
import type { HostTensor } from '../../../../../../src/graph/runtime.ts';
import { type GoldenTensor, maxAbsDiff, readSafetensors } from '../../../../../helpers/read-safetensors.ts';
import { headTurnTrack, motionDriver, syntheticReference, TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';

const UNET_FILE = join('unet_base', 'diffusion_pytorch_model.safetensors');
const TEXT_FILE = join('text_encoder', 'model.safetensors');
let dir: { models: string; cache: string };
let ghibli: string;

/** W + scale·(alpha/rank)·up·down for every module of `prefix` in the LoRA, in float64; other weights as they are. */
function mergedByFormula(base: Map<string, GoldenTensor>, lora: Map<string, GoldenTensor>, prefix: string, scale: number): { tensors: Map<string, Float32Array>; merged: number } {
  const out = new Map([...base].map(([name, t]) => [name, t.data.slice()]));
  let merged = 0;
  for (const [name, down] of lora) {
    if (!name.startsWith(prefix) || !name.endsWith('.lora_down.weight')) continue;
    const key = name.slice(0, -'.lora_down.weight'.length);
    const up = lora.get(`${key}.lora_up.weight`) as GoldenTensor;
    const rank = down.shape[0];
    const alpha = lora.get(`${key}.alpha`)?.data[0] ?? rank;
    const target = [...base.keys()].find((n) => n.endsWith('.weight') && n.slice(0, -'.weight'.length).replace(/\./g, '_') === key.slice(prefix.length)) as string;
    const w = out.get(target) as Float32Array;
    const inner = down.data.length / rank;
    for (let o = 0; o < up.shape[0]; o++) {
      for (let i = 0; i < inner; i++) {
        let delta = 0;
        for (let r = 0; r < rank; r++) delta += up.data[o * rank + r] * down.data[r * inner + i];
        w[o * inner + i] = base.get(target)?.data[o * inner + i] as number;
        w[o * inner + i] += scale * (alpha / rank) * delta;
      }
    }
    merged++;
  }
  return { tensors: out, merged };
}

async function writeMerged(path: string, source: Map<string, GoldenTensor>, tensors: Map<string, Float32Array>): Promise<void> {
  await writeSafetensors(
    path,
    [...tensors].map(([name, data]) => ({ name, dtype: 'F32' as const, shape: (source.get(name) as GoldenTensor).shape, data })),
  );
}

beforeAll(async () => {
  dir = await tinyModelDir(303);
  ghibli = await writeTinyStyle(dir.models, 'ghibli', 8100);
  // 'ink' is a LoRA whose up weights are all zero: merging it must change nothing.
  const zero = readSafetensors(ghibli);
  const inkPath = join(dir.models, 'loras', 'zyd232_InkStyle_v1_0.safetensors');
  await writeSafetensors(inkPath, [...zero].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: name.endsWith('lora_up.weight') ? new Float32Array(t.data.length) : t.data })));
}, 120_000);

describe('a LoRA style merged at build time', () => {
  let styled: HelloMemeSessions;
  let byFormula: HelloMemeSessions;
  let merged = { unet: 0, text: 0 };

  beforeAll(async () => {
    // The same model set with the formula's weights written in, compiled without any style.
    const formulaDir = join(mkdtempSync(join(tmpdir(), 'memeloom-style-formula-')), 'models');
    cpSync(dir.models, formulaDir, { recursive: true });
    const lora = readSafetensors(ghibli);
    const unet = readSafetensors(join(dir.models, UNET_FILE));
    const text = readSafetensors(join(dir.models, TEXT_FILE));
    const unetMerged = mergedByFormula(unet, lora, 'lora_unet_', 1);
    const textMerged = mergedByFormula(text, lora, 'lora_te_', 1);
    merged = { unet: unetMerged.merged, text: textMerged.merged };
    await writeMerged(join(formulaDir, UNET_FILE), unet, unetMerged.tensors);
    await writeMerged(join(formulaDir, TEXT_FILE), text, textMerged.tensors);
    const sessions = { cacheDir: dir.cache, provider: 'cpu' as const, threads: 1, residency: 'all' as const };
    styled = await openHelloMemeSessions(modelPathsFromModuleFolder(dir.models), { ...sessions, style: { id: 'ghibli', loraPath: ghibli } });
    byFormula = await openHelloMemeSessions(modelPathsFromModuleFolder(formulaDir), sessions);
  }, 180_000);

  afterAll(async () => {
    await styled?.dispose();
    await byFormula?.dispose();
  });

  const f32 = (dims: number[], seed: number, scale = 1): HostTensor => ({ elem: 'float32', dims, data: seededNormals(dims.reduce((a, b) => a * b, 1), seed, scale) });

  it('the styled text encoder is the base encoder with the formula weights; the reference prompt stays base', async () => {
    expect(merged.text).toBeGreaterThan(0);
    const ids: HostTensor = { elem: 'int64', dims: [2, 77], data: BigInt64Array.from({ length: 154 }, (_, i) => BigInt((i * 37) % 200)) };
    const styledOut = (await (await styled.session('clip-text-style')).run({ input_ids: ids })).last_hidden_state;
    const formulaOut = (await (await byFormula.session('clip-text')).run({ input_ids: ids })).last_hidden_state;
    const baseOut = (await (await styled.session('clip-text')).run({ input_ids: ids })).last_hidden_state;
    expect(maxAbsDiff(styledOut.data as Float32Array, formulaOut.data as Float32Array)).toBeLessThan(1e-5);
    expect(maxAbsDiff(styledOut.data as Float32Array, baseOut.data as Float32Array)).toBeGreaterThan(1e-2);
    expect(styled.style).toBe('ghibli');
    expect(byFormula.style).toBeNull();
  });

  it('refuses a style file with weights a LoRA merge cannot use (a LoHa), naming them', async () => {
    const loha = join(dir.models, 'loha.safetensors');
    await writeSafetensors(loha, [
      { name: 'lora_unet_conv_in.hada_w1_a', dtype: 'F32', shape: [32, 2], data: new Float32Array(64) },
      { name: 'lora_unet_conv_in.hada_w1_b', dtype: 'F32', shape: [2, 36], data: new Float32Array(72) },
    ]);
    await expect(openHelloMemeSessions(modelPathsFromModuleFolder(dir.models), { cacheDir: dir.cache, provider: 'cpu', style: { id: 'drawing', loraPath: loha } })).rejects.toMatchObject({
      code: 'BAD_WEIGHTS',
      message: expect.stringContaining('lora_unet_conv_in.hada_w1_a'),
    });
  });

  it('the styled denoiser is the hooked UNet with the formula weights; the reference UNet stays base', async () => {
    expect(merged.unet).toBeGreaterThan(0);
    const F = 2;
    const feeds: Record<string, HostTensor> = {
      latent_model_input: f32([2, 4, F, 16, 16], 1),
      timestep: { elem: 'float32', dims: [1], data: Float32Array.of(500) },
      encoder_hidden_states: f32([2, 77, 32], 2),
      ...Object.fromEntries([16, 8, 4, 2].map((_, i) => [`ref_cache.up_${i}`, f32([2, 32, [2, 4, 8, 16][i], [2, 4, 8, 16][i]], 10 + i)])),
      ...Object.fromEntries(['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'].map((key, i) => {
        const side = [8, 4, 2, 2, 2, 4, 8, 16][i];
        return [`control.${key}`, f32([2, 32, F, side, side], 20 + i, 0.5)];
      })),
    };
    const styledOut = (await (await styled.session('hm5-denoise')).run(feeds)).noise_pred.data as Float32Array;
    const formulaOut = (await (await byFormula.session('hm5-denoise')).run(feeds)).noise_pred.data as Float32Array;
    expect(maxAbsDiff(styledOut, formulaOut)).toBeLessThan(1e-4);
    const ref = { ref_latent: f32([2, 4, 16, 16], 40), encoder_hidden_states: f32([2, 77, 32], 41) };
    const styledRef = await (await styled.session('hm5-reference')).run(ref);
    const baseSessions = await openHelloMemeSessions(modelPathsFromModuleFolder(dir.models), { cacheDir: dir.cache, provider: 'cpu', threads: 1 });
    try {
      const baseRef = await (await baseSessions.session('hm5-reference')).run(ref);
      expect(maxAbsDiff(styledRef['ref_cache.up_3'].data as Float32Array, baseRef['ref_cache.up_3'].data as Float32Array)).toBe(0);
      const baseDenoise = (await (await baseSessions.session('hm5-denoise')).run(feeds)).noise_pred.data as Float32Array;
      expect(maxAbsDiff(styledOut, baseDenoise)).toBeGreaterThan(1e-2);
    } finally {
      await baseSessions.dispose();
    }
  }, 60_000);
});

describe('styles end to end on the tiny engine', () => {
  let engine: HelloMemeEngine;
  const reference = syntheticReference();
  const driver = motionDriver(headTurnTrack(5));
  const differing = (a: readonly Uint8Array[], b: readonly Uint8Array[]) => a.reduce((n, frame, f) => n + frame.reduce((m, v, i) => m + (v !== b[f][i] ? 1 : 0), 0), 0);

  beforeAll(() => {
    engine = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1, residency: 'all' }, latentSize: TINY_LATENT, steps: 2, pasteBack: false, upscale: false });
  });
  afterAll(async () => {
    await engine?.dispose();
  });

  it('lists the installed styles; a style changes the frames, no style renders as before, a zero LoRA changes nothing', async () => {
    expect([...(engine.styles ?? [])].sort()).toEqual(['ghibli', 'ink']);
    const plain = await engine.render(reference, driver, { seed: 5 });
    expect(engine.lastRun?.style).toBeNull();
    const styledRun = await engine.render(reference, driver, { seed: 5, style: 'ghibli' });
    expect(engine.lastRun?.style).toBe('ghibli');
    const again = await engine.render(reference, driver, { seed: 5 });
    const zero = await engine.render(reference, driver, { seed: 5, style: 'ink' });
    const values = plain.frames.reduce((n, f) => n + f.length, 0);
    expect(differing(plain.frames, styledRun.frames)).toBeGreaterThan(values / 4);
    expect(differing(plain.frames, again.frames)).toBe(0);
    expect(differing(plain.frames, zero.frames)).toBe(0);
  }, 180_000);

  it("accepts HelloMeme's preset names and refuses unknown or uninstalled styles by name", async () => {
    await expect(engine.render(reference, driver, { seed: 5, style: 'vaporwave' })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('known: baby-face') });
    await expect(engine.render(reference, driver, { seed: 5, style: 'drawing' })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('models pull --style drawing') });
    await engine.render(reference, driver, { seed: 5, style: '[preset]ghibli_anime_v1' });
    expect(engine.lastRun?.style).toBe('ghibli');
  }, 120_000);
});
