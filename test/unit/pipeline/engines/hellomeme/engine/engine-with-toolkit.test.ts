// The tiny HelloMeme engine through the renderer with the face toolkit (stand-in models, random PD-FGC): runMeme
// decodes the template once at 8 fps with the frames HelloMeme's fps8 keeps, hands the engine the toolkit analyses of
// the driver and of the full-resolution photo, and the job's prompt, trans_ratio and seed reach the engine; the bot
// service's "Another take" renders a new take.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemeService } from '../../../../../../src/bots/service.ts';
import { analyseDriver, analysePhotoWithToolkit } from '../../../../../../src/pipeline/engine-inputs.ts';
import type { EngineDriver, EngineReference } from '../../../../../../src/pipeline/engines/engine.ts';
import { createHelloMemeEngine, HELLOMEME_NEEDS, type HelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { videoPrompt } from '../../../../../../src/pipeline/engines/hellomeme/prompt.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../../src/pipeline/face/face-analyzer.ts';
import { createHelloMemeFaceToolkit, type HelloMemeFaceToolkit } from '../../../../../../src/pipeline/face-toolkit/face-toolkit.ts';
import { decodeVideo } from '../../../../../../src/pipeline/media/video.ts';
import type { Renderer } from '../../../../../../src/pipeline/meme-spec.ts';
import { createMotionCache } from '../../../../../../src/pipeline/motion/motion-cache.ts';
import { createRenderer } from '../../../../../../src/pipeline/render.ts';
import { loadTemplateCatalog } from '../../../../../../src/templates/catalog.ts';
import { referenceImage } from '../../../../../helpers/fixtures.ts';
import { noGpu } from '../../../../../helpers/gpu-probes.ts';
import { RecordingReplier, testConfig } from '../../../../bots/service-fixtures.ts';
import { TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';
import { faceScene, pdFgcFolder, sceneReference, writeFaceToolkitModels, writeLosslessClip } from './toolkit-fixtures.ts';

/** 1024² photo: HelloMeme crops it at full resolution, whatever size the meme is rendered at. */
const PHOTO = readFileSync(referenceImage('show1.jpg'));
let root: string;
let faces: FaceAnalyzer;
let toolkit: HelloMemeFaceToolkit;
let engine: HelloMemeEngine;
let renderer: Renderer;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'hm-engine-toolkit-'));
  const models = path.join(root, 'models');
  const [tiny, analyser] = await Promise.all([tinyModelDir(), createFaceAnalyzer(), writeFaceToolkitModels(models)]);
  faces = analyser;
  toolkit = await createHelloMemeFaceToolkit(models, { provider: 'cpu', threads: 1 });
  const paths = { ...modelPathsFromModuleFolder(tiny.models), pdFgc: pdFgcFolder(models) };
  engine = createHelloMemeEngine({ paths, sessions: { cacheDir: tiny.cache, provider: 'cpu', threads: 1, residency: 'all' }, latentSize: TINY_LATENT, steps: 2, upscale: false });
  renderer = await createRenderer({ hellomeme: engine, faces, faceToolkit: toolkit, probe: noGpu(), cacheDir: path.join(root, 'cache') });
}, 180_000);

afterAll(async () => {
  await renderer?.dispose();
  await Promise.all([toolkit?.dispose(), faces?.dispose()]);
  rmSync(root, { recursive: true, force: true });
});

function differs(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('hellomeme through the renderer', () => {
  it("renders a template at 8 fps from the frames fps8 keeps, cropping the photo's face at full resolution", async () => {
    const result = await renderer.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', engine: 'hellomeme', maxSide: 256, seed: 1 });
    const template = (await loadTemplateCatalog()).get('nod-along');
    const fps8 = await decodeVideo(template.clipPath, { fps: 8, rateConversion: 'output-rate', startSec: template.trim.startSec, endSec: template.trim.endSec, maxSide: 64 });
    expect([result.engine, result.fps, result.frameCount, result.width]).toEqual(['hellomeme', 8, fps8.frames.length, 256]);
    const run = engine.lastRun;
    expect(run?.frameCount).toBe(fps8.frames.length);
    // The crop box is in the 1024² photo's pixels, not the 256² meme's.
    expect([run?.reference.sourceWidth, run?.reference.sourceHeight]).toEqual([1024, 1024]);
    expect(run?.reference.rect.x1).toBeGreaterThan(256);
    // The stand-in toolkit may or may not find a "face" in a real clip; either way its analysis was asked for.
    expect(run?.controlSource).toMatch(/^(face-toolkit|motion-track \(the face toolkit found no face in the driver\))/);
  }, 120_000);

  it('gives "Another take" a new seed, so a new take', async () => {
    // One GPU lane, so the service offers hellomeme.
    const service = createMemeService({ config: testConfig({ MEMELOOM_GPU_DEVICES: '1' }), renderer, templates: await loadTemplateCatalog() });
    const first = new RecordingReplier();
    // A short clip of the synthetic scene the stand-in toolkit tracks, sent as the user's own driver.
    const clip = await writeLosslessClip(path.join(root, 'take.mkv'), [faceScene(0, 4), faceScene(2, 10), faceScene(4, 16)], 8);
    const ref = await service.submit({ platform: 'web', userId: 'web:alice', photo: PHOTO, driver: { bytes: readFileSync(clip) }, format: 'mp4', engine: 'hellomeme' }, first);
    const take1 = await first.ended;
    const rerolled = new RecordingReplier();
    await service.reroll(ref.jobId, rerolled);
    const take2 = await rerolled.ended;
    if (take1.kind !== 'deliver' || take2.kind !== 'deliver') throw new Error(`a take failed: ${JSON.stringify([take1.kind, take2.kind])}`);
    expect(take1.result.frameCount).toBe(3);
    expect(take2.result.seed).not.toBe(take1.result.seed);
    expect(take2.result.bytes.equals(take1.result.bytes)).toBe(false);
    await service.shutdown(1000);
  }, 120_000);
});

describe('the job options the engine takes', () => {
  let reference: EngineReference;
  let driver: EngineDriver;

  beforeAll(async () => {
    const clip = await writeLosslessClip(path.join(root, 'scene.mkv'), [faceScene(0, 4), faceScene(2, 10), faceScene(4, 16), faceScene(4, 10)], 8);
    driver = await analyseDriver({ path: clip, fps: 8, rateConversion: 'output-rate' }, HELLOMEME_NEEDS, { faces, motionCache: createMotionCache(path.join(root, 'motion')), toolkit });
    const photo = sceneReference();
    reference = { ...photo, toolkit: await analysePhotoWithToolkit(toolkit, photo.source) };
  }, 60_000);

  it('appends the words to HelloMeme prompt, and they change the take', async () => {
    const plain = await engine.render(reference, driver, { seed: 5 });
    expect(engine.lastRun?.prompt).toBe(videoPrompt());
    expect(engine.lastRun?.controlSource).toBe('face-toolkit');
    expect(engine.lastRun?.reference.fromToolkit).toBe(true);
    const pirate = await engine.render(reference, driver, { seed: 5, prompt: 'a pirate captain, oil painting' });
    expect(engine.lastRun?.prompt).toBe(`a pirate captain, oil painting, ${videoPrompt()}`);
    expect(differs(plain.frames[1], pirate.frames[1])).toBeGreaterThan(0);
  }, 60_000);

  it('follows the driver head translation with trans_ratio, and refuses a ratio outside 0..1', async () => {
    const still = await engine.render(reference, driver, { seed: 5, transRatio: 0 });
    const following = await engine.render(reference, driver, { seed: 5, transRatio: 1 });
    expect(differs(still.frames[3], following.frames[3])).toBeGreaterThan(0);
    await expect(engine.render(reference, driver, { seed: 5, transRatio: 1.5 })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/between 0 and 1/) });
  }, 60_000);
});
