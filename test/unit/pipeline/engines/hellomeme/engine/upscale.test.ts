// Real-ESRGAN ×2 in the HelloMeme engine on tiny weights, end to end: on by default when the weights are there,
// applied to each decoded crop before paste-back (the upscaled job equals the un-upscaled job's crops run through
// the upscaler), off with `upscale: false`, and a coded error when asked for without weights.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemeError } from '../../../../../../src/errors.ts';
import { createHelloMemeEngine, type HelloMemeEngineOptions } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { openUpscalerSession, type UpscalerSession } from '../../../../../../src/pipeline/engines/hellomeme/upscaler-session.ts';
import { headTurnTrack, motionDriver, syntheticReference, TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';

const reference = syntheticReference();
const track = headTurnTrack(3);
let dir: { models: string; cache: string };
let upscaler: UpscalerSession;

function options(extra: Partial<HelloMemeEngineOptions>): HelloMemeEngineOptions {
  return { paths: modelPathsFromModuleFolder(dir.models), latentSize: TINY_LATENT, steps: 1, pasteBack: false, sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1, residency: 'all' }, ...extra };
}

async function renderWith(extra: Partial<HelloMemeEngineOptions>) {
  const engine = createHelloMemeEngine(options(extra));
  try {
    const out = await engine.render(reference, motionDriver(track), { seed: 4 });
    return { out, stats: engine.lastRun };
  } finally {
    await engine.dispose();
  }
}

beforeAll(async () => {
  dir = await tinyModelDir(33);
  upscaler = await openUpscalerSession(join(dir.models, 'esrgan', 'RealESRGAN_x2plus.safetensors'), { cacheDir: dir.cache, threads: 1 });
}, 120_000);

afterAll(async () => {
  await upscaler?.dispose();
});

describe('Real-ESRGAN in the HelloMeme engine', () => {
  it('upscales each decoded 128² crop to 256² by default, exactly as the upscaler does alone; upscale: false keeps 128²', async () => {
    const plain = await renderWith({ upscale: false });
    expect([plain.out.width, plain.out.height]).toEqual([128, 128]);
    expect(plain.stats?.upscaled).toBe(false);
    expect(plain.stats?.stageMs.upscale).toBeUndefined();

    const upscaled = await renderWith({});
    expect([upscaled.out.width, upscaled.out.height, upscaled.out.frames.length]).toEqual([256, 256, 3]);
    expect(upscaled.stats?.upscaled).toBe(true);
    expect(upscaled.stats?.stageMs.upscale).toBeGreaterThan(0);
    for (const [i, crop] of plain.out.frames.entries()) {
      const expected = await upscaler.upscale({ width: 128, height: 128, data: crop });
      expect(Buffer.from(upscaled.out.frames[i]).equals(Buffer.from(expected.data)), `frame ${i}`).toBe(true);
    }
    // Not a plain resize: the tiny network's output differs from a nearest-neighbour ×2 of the crop.
    const crop = plain.out.frames[0];
    let same = 0;
    for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) if (upscaled.out.frames[0][(y * 256 + x) * 3] === crop[((y >> 1) * 128 + (x >> 1)) * 3]) same++;
    expect(same).toBeLessThan(256 * 256 * 0.5);
  }, 120_000);

  it('pastes the upscaled crop into the photo at the photo size', async () => {
    const { out, stats } = await renderWith({ pasteBack: true });
    expect([out.width, out.height]).toEqual([reference.image.width, reference.image.height]);
    expect(stats?.upscaled).toBe(true);
  }, 120_000);

  it('is off when the model folder has no upscaler, and refuses upscale: true without weights', async () => {
    const { models } = await tinyModelDir(34);
    rmSync(join(models, 'esrgan'), { recursive: true });
    const paths = modelPathsFromModuleFolder(models);
    expect(paths.upscaler).toBeUndefined();
    const engine = createHelloMemeEngine({ ...options({}), paths });
    const out = await engine.render(reference, motionDriver(track), { seed: 4 });
    await engine.dispose();
    expect([out.width, engine.lastRun?.upscaled]).toEqual([128, false]);
    expect(() => createHelloMemeEngine({ ...options({ upscale: true }), paths })).toThrow(MemeError);
    expect(() => createHelloMemeEngine({ ...options({ upscale: true }), paths })).toThrow(/RealESRGAN_x2plus\.pth/);
  }, 120_000);
});
