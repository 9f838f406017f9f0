// The whole HelloMeme engine end to end on CPU from the tiny random weights: a 13-frame clip (two 12-frame
// windows sharing one frame, plus a keyframe level), real ONNX Runtime sessions, determinism for a seed,
// cancellation within one UNet call, progress 0 → 1, session reuse, paste-back and the bare crop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemeError } from '../../../../../../src/errors.ts';
import { createHelloMemeEngine, type HelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { rectInOutput, referenceCrop } from '../../../../../../src/pipeline/engines/hellomeme/reference-crop.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { unetFrameEvaluations } from '../../../../../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import type { Progress } from '../../../../../../src/pipeline/types.ts';
import { headTurnTrack, motionDriver, syntheticReference, TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';

const FRAMES = 13;
const STEPS = 3;
const reference = syntheticReference();
const track = headTurnTrack(FRAMES);
let engine: HelloMemeEngine;
let dir: { models: string; cache: string };

beforeAll(async () => {
  dir = await tinyModelDir();
  engine = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1, residency: 'all' }, latentSize: TINY_LATENT, steps: STEPS });
  await engine.warmUp();
}, 120_000);

afterAll(async () => {
  await engine?.dispose();
});

function differs(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('hellomeme engine on tiny weights', () => {
  it('renders a 2-window clip pasted into the photo, with progress from 0 to 1 and the planned UNet work', async () => {
    const progress: number[] = [];
    const out = await engine.render(reference, motionDriver(track), { seed: 7 }, { onProgress: (p: Progress) => progress.push(p.fraction) });
    expect(out.frames).toHaveLength(FRAMES);
    expect([out.width, out.height, out.fps]).toEqual([reference.image.width, reference.image.height, 8]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    // Levels: keyframes {0, 11, 12} in one window, then windows [0..11] and [11, 12]: 3 UNet calls a step.
    expect(engine.lastRun?.unetCalls).toBe(3 * STEPS);
    expect(engine.lastRun?.unetFrameEvaluations).toBe(unetFrameEvaluations(FRAMES, STEPS));
    expect(engine.lastRun?.unetFrameEvaluations).toBe(STEPS * (3 + 12 + 2) * 2);
    // Outside the crop box the photo is untouched; inside, the generated face replaced it.
    const rect = rectInOutput(referenceCrop(reference, TINY_LATENT * 8).rect, reference);
    const w = reference.image.width;
    const inside = (x: number, y: number) => x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1;
    let changedInside = 0;
    for (let y = 0; y < reference.image.height; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const same = out.frames[0][i] === reference.image.data[i] && out.frames[0][i + 1] === reference.image.data[i + 1];
        if (!inside(x, y)) expect(same).toBe(true);
        else if (!same) changedInside++;
      }
    }
    expect(changedInside).toBeGreaterThan(((rect.x1 - rect.x0) * (rect.y1 - rect.y0)) / 2);
    // The head turns across the clip, so the pose control changes the frames.
    expect(differs(out.frames[0], out.frames[FRAMES - 1])).toBeGreaterThan(0);
  }, 60_000);

  it('is deterministic for a seed, differs across seeds, and reuses its sessions across jobs', async () => {
    const sessions = await engine.warmUp();
    const denoiser = await sessions.session('hm5-denoise-pad');
    const a = await engine.render(reference, motionDriver(track), { seed: 3 });
    const b = await engine.render(reference, motionDriver(track), { seed: 3 });
    const c = await engine.render(reference, motionDriver(track), { seed: 4 });
    expect(await engine.warmUp()).toBe(sessions);
    expect(await sessions.session('hm5-denoise-pad')).toBe(denoiser);
    for (const [i, frame] of a.frames.entries()) expect(differs(frame, b.frames[i]), `frame ${i}`).toBe(0);
    expect(differs(a.frames[5], c.frames[5])).toBeGreaterThan(0);
  }, 60_000);

  it('stops within one UNet call when cancelled mid-denoise', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const job = engine.render(reference, motionDriver(track), { seed: 1 }, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.fraction);
        // Fractions 0.1..0.95 are the UNet calls; abort after the second one.
        if (p.fraction > 0.1 && seen.filter((f) => f > 0.1 && f < 0.95).length === 2) controller.abort();
      },
    });
    await expect(job).rejects.toSatisfy((e: unknown) => e instanceof MemeError && e.code === 'CANCELLED');
    expect(seen.filter((f) => f > 0.1 && f < 0.95)).toHaveLength(2);
    expect(seen.at(-1)).toBeLessThan(1);
  }, 60_000);

  it('returns the bare square crop without paste-back (upscaled ×2 by default), holding sessions per stage', async () => {
    const dirEngine = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), latentSize: TINY_LATENT, steps: 1, pasteBack: false, sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1, residency: 'stage' } });
    try {
      const out = await dirEngine.render(reference, motionDriver(headTurnTrack(3)), { seed: 2 });
      expect([out.width, out.height, out.frames.length]).toEqual([TINY_LATENT * 16, TINY_LATENT * 16, 3]);
      expect(dirEngine.lastRun?.unetCalls).toBe(1);
      expect(dirEngine.lastRun?.upscaled).toBe(true);
    } finally {
      await dirEngine.dispose();
    }
  }, 60_000);
});
