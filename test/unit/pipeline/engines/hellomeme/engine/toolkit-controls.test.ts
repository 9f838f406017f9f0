// HelloMeme's controls from the face toolkit on real ffmpeg and ONNX Runtime: render's driver analysis decodes a
// lossless synthetic clip once and the stand-in toolkit tracks it; the engine's controls turn that into pose images
// and PD-FGC expressions (a random encoder), holding frames without a face, placing the quad by the photo's 3DMM
// translation and trans_ratio, and falling back to the MediaPipe motion track, saying why, where it must.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseDriver, analysePhotoWithToolkit, type DriverAnalysers } from '../../../../../../src/pipeline/engine-inputs.ts';
import type { EngineDriver } from '../../../../../../src/pipeline/engines/engine.ts';
import { EXPRESSION_DIM } from '../../../../../../src/pipeline/engines/hellomeme/control-signals.ts';
import { driverControls } from '../../../../../../src/pipeline/engines/hellomeme/driver-controls.ts';
import { HELLOMEME_NEEDS } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { nearestKeptFrame } from '../../../../../../src/pipeline/engines/hellomeme/kept-frames.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { buildPdFgcInput } from '../../../../../../src/pipeline/engines/hellomeme/pd-fgc-align.ts';
import { type HelloMemeSessions, openHelloMemeSessions } from '../../../../../../src/pipeline/engines/hellomeme/session-set.ts';
import { f32Tensor, floatsOf } from '../../../../../../src/pipeline/engines/hellomeme/video-tensors.ts';
import { createFaceAnalyzer } from '../../../../../../src/pipeline/face/face-analyzer.ts';
import { createHelloMemeFaceToolkit, type HelloMemeFaceToolkit } from '../../../../../../src/pipeline/face-toolkit/face-toolkit.ts';
import { resizeBicubic } from '../../../../../../src/pipeline/face-toolkit/resize-bicubic.ts';
import { createMotionCache } from '../../../../../../src/pipeline/motion/motion-cache.ts';
import { loadRgb, referenceImage } from '../../../../../helpers/fixtures.ts';
import { tinyModelDir } from './engine-fixtures.ts';
import { dimmedFaceFrames, faceScene, pdFgcFolder, writeFaceToolkitModels, writeLosslessClip } from './toolkit-fixtures.ts';

const SIZE = 64;
const PLANE = 3 * SIZE * SIZE;
/** Frame 3 has no face; the face moves right and back (the stand-in detector needs dx ≤ 2 to find it again) and the mouth bar opens and closes. */
const FRAMES = [faceScene(0, 4), faceScene(2, 8), faceScene(4, 12), faceScene(0, 0, true), faceScene(2, 8), faceScene(4, 4)];
let root: string;
let clipPath: string;
let toolkit: HelloMemeFaceToolkit;
let analysers: DriverAnalysers;
let sessions: HelloMemeSessions;
let driver: EngineDriver;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'hm-toolkit-controls-'));
  const [tiny, faces] = await Promise.all([tinyModelDir(), createFaceAnalyzer(), writeFaceToolkitModels(path.join(root, 'models'))]);
  clipPath = await writeLosslessClip(path.join(root, 'driver.mkv'), FRAMES, 8);
  toolkit = await createHelloMemeFaceToolkit(path.join(root, 'models'), { provider: 'cpu', threads: 1 });
  analysers = { faces, motionCache: createMotionCache(path.join(root, 'motion')), toolkit };
  sessions = await openHelloMemeSessions({ ...modelPathsFromModuleFolder(tiny.models), pdFgc: pdFgcFolder(path.join(root, 'models')) }, { cacheDir: tiny.cache, provider: 'cpu', threads: 1, residency: 'all' });
  driver = await analyseDriver({ path: clipPath, fps: 8, rateConversion: 'output-rate' }, HELLOMEME_NEEDS, analysers);
}, 180_000);

afterAll(async () => {
  await Promise.all([sessions?.dispose(), toolkit?.dispose(), analysers?.faces.dispose()]);
  rmSync(root, { recursive: true, force: true });
});

const row = (a: Float32Array, f: number, n: number) => a.subarray(f * n, (f + 1) * n);

/** Mean x of the drawn (non-background) pixels of a [3, S, S] pose image. */
function drawnCentroidX(image: Float32Array, side = SIZE): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < side * side; i++) {
    if (image[i] > -1 || image[side * side + i] > -1 || image[2 * side * side + i] > -1) {
      sum += i % side;
      n++;
    }
  }
  return sum / n;
}

describe('the driver as HelloMeme asks for it', () => {
  it('is the toolkit analysis of every decoded frame, no motion track, at 8 fps', () => {
    expect([driver.fps, driver.frameCount]).toEqual([8, FRAMES.length]);
    expect(driver.toolkit?.frameIndices).toEqual([0, 1, 2, 4, 5]);
    expect(driver.toolkit?.crop.frames.map((f) => f.width)).toEqual([512, 512, 512, 512, 512]);
    expect(driver.motion).toBeUndefined();
  });

  it('falls back to the MediaPipe motion track of the same clip, saying why', async () => {
    const photo = await loadRgb(referenceImage('harris.jpg'), 256);
    const dimmed = await writeLosslessClip(path.join(root, 'dimmed.mkv'), dimmedFaceFrames(photo, 4), 8);
    const noFace = await analyseDriver({ path: dimmed, fps: 8, rateConversion: 'output-rate' }, HELLOMEME_NEEDS, analysers);
    expect(noFace.toolkitMissing).toBe('the face toolkit found no face in the driver');
    expect([noFace.frameCount, noFace.motion?.frameCount, noFace.motion?.found.every((v) => v === 1)]).toEqual([4, 4, true]);
    const noToolkit = await analyseDriver({ path: dimmed, fps: 8, rateConversion: 'output-rate' }, HELLOMEME_NEEDS, { ...analysers, toolkit: null });
    expect(noToolkit.toolkitMissing).toMatch(/^no face toolkit here/);
    const controls = await driverControls(sessions, noToolkit, { refTrans: null, transRatio: 0 }, SIZE);
    expect(controls.source).toBe(`motion-track (${noToolkit.toolkitMissing})`);
    expect(controls.expressions.every((v) => v === 0)).toBe(true);
  }, 60_000);
});

describe('the photo as HelloMeme asks for it', () => {
  it('keeps a face at full resolution that shrinking would put under the toolkit 96 px minimum', async () => {
    const full = faceScene(0, 6);
    const shrunk = resizeBicubic(full, full.width / 2, full.height / 2);
    const atFull = await analysePhotoWithToolkit(toolkit, full);
    const box = (atFull?.crop.rect?.x1 ?? 0) - (atFull?.crop.rect?.x0 ?? 0);
    expect(box).toBeGreaterThan(0);
    // The detector still sees the shrunk face; the tracker drops it for its size.
    expect((await toolkit.detect(shrunk)).length).toBeGreaterThan(0);
    expect(await analysePhotoWithToolkit(toolkit, shrunk)).toBeNull();
  });
});

describe('controls from the toolkit analysis', () => {
  it('are pose images and PD-FGC expressions per frame, the faceless frame held from its earlier neighbour', async () => {
    const controls = await driverControls(sessions, driver, { refTrans: null, transRatio: 0 }, SIZE);
    expect(controls.source).toBe('face-toolkit (1 driver frame(s) without a face held from their neighbours; no toolkit face in the photo, pose quad placed as in the driver)');
    expect(controls.poseImages).toHaveLength(FRAMES.length * PLANE);
    expect(controls.expressions).toHaveLength(FRAMES.length * EXPRESSION_DIM);
    for (let f = 0; f < FRAMES.length; f++) {
      expect(row(controls.poseImages, f, PLANE)[0]).toBe(-1);
      expect(row(controls.poseImages, f, PLANE).some((v) => v > 0.9)).toBe(true);
    }
    expect(controls.expressions.every(Number.isFinite)).toBe(true);
    expect(row(controls.expressions, 0, EXPRESSION_DIM)).not.toEqual(row(controls.expressions, 2, EXPRESSION_DIM));
    expect(row(controls.expressions, 3, EXPRESSION_DIM)).toEqual(row(controls.expressions, 2, EXPRESSION_DIM));
    expect(row(controls.poseImages, 3, PLANE)).toEqual(row(controls.poseImages, 2, PLANE));
  }, 60_000);

  it("gives each frame the PD-FGC vector of its own aligned 512-crop face", async () => {
    const analysis = driver.toolkit as NonNullable<EngineDriver['toolkit']>;
    const controls = await driverControls(sessions, driver, { refTrans: null, transRatio: 0 }, SIZE);
    const face = buildPdFgcInput(analysis.crop.frames[4], analysis.crop.landmarks[4]).tensor;
    const direct = await (await sessions.session('pd-fgc')).run({ image: f32Tensor([1, 3, 224, 224], face) });
    expect(row(controls.expressions, 5, EXPRESSION_DIM)).toEqual(floatsOf(direct.pd_fpg));
  }, 60_000);

  it("places the quad by the photo's 3DMM translation, and trans_ratio moves it with the driver's head", async () => {
    const photo = await analysePhotoWithToolkit(toolkit, faceScene(144, 6));
    expect(photo).not.toBeNull();
    expect(await analysePhotoWithToolkit(toolkit, faceScene(0, 0, true))).toBeNull();
    const refTrans = photo?.poses[0].trans ?? null;
    const placed = await driverControls(sessions, driver, { refTrans, transRatio: 0 }, SIZE);
    const asDriver = await driverControls(sessions, driver, { refTrans: null, transRatio: 0 }, SIZE);
    expect(placed.source).toBe('face-toolkit (1 driver frame(s) without a face held from their neighbours)');
    expect(placed.expressions).toEqual(asDriver.expressions);
    expect(Math.abs(drawnCentroidX(row(placed.poseImages, 0, PLANE)) - drawnCentroidX(row(asDriver.poseImages, 0, PLANE)))).toBeGreaterThan(2);
    // trans_ratio 0 keeps every quad at the photo's place; 1 follows the driver's head (4 px right by frame 5).
    const at512 = async (transRatio: number) => (await driverControls(sessions, driver, { refTrans, transRatio }, 512)).poseImages;
    const [still, following] = [await at512(0), await at512(1)];
    const centroid = (images: Float32Array, f: number) => drawnCentroidX(row(images, f, 3 * 512 * 512), 512);
    expect(centroid(following, 0)).toBe(centroid(still, 0));
    expect(centroid(following, 5) - centroid(following, 0)).toBeGreaterThan(centroid(still, 5) - centroid(still, 0) + 2);
  }, 60_000);
});

describe('nearestKeptFrame', () => {
  it('maps every frame to the nearest kept one, the earlier on a tie, and past the end to the last', () => {
    expect([...nearestKeptFrame([0, 1, 2, 4, 5], 6)]).toEqual([0, 1, 2, 2, 3, 4]);
    expect([...nearestKeptFrame([1, 4], 7)]).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect([...nearestKeptFrame([3], 5)]).toEqual([0, 0, 0, 0, 0]);
    expect(() => nearestKeptFrame([], 3)).toThrow(expect.objectContaining({ code: 'NO_FACE' }));
  });
});
