// The face-toolkit ControlSource on real ffmpeg and ONNX Runtime: stand-in face models and a random PD-FGC encoder
// turn a lossless synthetic driver clip into pose images and 548-d expressions; dropped frames are held from the
// nearest kept frame; it falls back to the MotionTrack source (and says why) without a clip or a driver face.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineReference } from '../../../../../../src/pipeline/engines/engine.ts';
import { type ControlSource, EXPRESSION_DIM } from '../../../../../../src/pipeline/engines/hellomeme/control-signals.ts';
import { controlSourceFor } from '../../../../../../src/pipeline/engines/hellomeme/engine-from-models.ts';
import { createHelloMemeFaceToolkit } from '../../../../../../src/pipeline/face-toolkit/face-toolkit.ts';
import { nearestKeptFrame } from '../../../../../../src/pipeline/engines/hellomeme/kept-frames.ts';
import { buildPdFgcInput } from '../../../../../../src/pipeline/engines/hellomeme/pd-fgc-align.ts';
import { openPdFgcSession } from '../../../../../../src/pipeline/engines/hellomeme/pd-fgc-session.ts';
import { createToolkitControlSource, PD_FGC_REPO } from '../../../../../../src/pipeline/engines/hellomeme/toolkit-control-source.ts';
import { decodeVideo } from '../../../../../../src/pipeline/media/video.ts';
import { faceScene, sceneReference, writeFaceToolkitModels, writeLosslessClip } from './control-source-fixtures.ts';
import { headTurnTrack } from './engine-fixtures.ts';

const SIZE = 64;
const PLANE = 3 * SIZE * SIZE;
/** Frame 3 has no face; the mouth bar opens and closes. */
const FRAMES = [faceScene(0, 4), faceScene(2, 8), faceScene(4, 12), faceScene(0, 0, true), faceScene(2, 8), faceScene(0, 4)];
const track = headTurnTrack(FRAMES.length);
const reference = sceneReference();
let root: string;
let clipPath: string;
let source: ControlSource;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'hm-toolkit-source-'));
  await writeFaceToolkitModels(path.join(root, 'models'));
  clipPath = await writeLosslessClip(path.join(root, 'driver.mkv'), FRAMES, track.fps);
  source = createToolkitControlSource({ modelsDir: path.join(root, 'models'), cacheDir: path.join(root, 'graphs'), provider: 'cpu', threads: 1 });
});

afterAll(async () => {
  await source?.dispose?.();
  rmSync(root, { recursive: true, force: true });
});

const row = (a: Float32Array, f: number, n: number) => a.subarray(f * n, (f + 1) * n);

/** Mean x of the drawn (non-background) pixels of a [3, S, S] pose image. */
function drawnCentroidX(image: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < SIZE * SIZE; i++) {
    if (image[i] > -1 || image[SIZE * SIZE + i] > -1 || image[2 * SIZE * SIZE + i] > -1) {
      sum += i % SIZE;
      n++;
    }
  }
  return sum / n;
}

describe('face-toolkit control source', () => {
  it('turns the driver clip into pose images and PD-FGC expressions, holding the faceless frame', async () => {
    const controls = await source.controls(track, SIZE, { reference, driver: { clipPath } });
    expect(controls.source).toBe('face-toolkit (1 driver frame(s) without a face held from their neighbours)');
    expect([controls.frameCount, controls.imageSize]).toEqual([FRAMES.length, SIZE]);
    expect(controls.poseImages).toHaveLength(FRAMES.length * PLANE);
    expect(controls.expressions).toHaveLength(FRAMES.length * EXPRESSION_DIM);
    for (let f = 0; f < FRAMES.length; f++) {
      const pose = row(controls.poseImages, f, PLANE);
      expect(pose[0]).toBe(-1);
      expect(pose.some((v) => v > 0.9)).toBe(true);
    }
    expect(controls.expressions.every(Number.isFinite)).toBe(true);
    expect(controls.expressions.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    // Different mouths, different expressions; frame 3 (no face) is frame 2's, the earlier of its two neighbours.
    expect(row(controls.expressions, 0, EXPRESSION_DIM)).not.toEqual(row(controls.expressions, 2, EXPRESSION_DIM));
    expect(row(controls.expressions, 3, EXPRESSION_DIM)).toEqual(row(controls.expressions, 2, EXPRESSION_DIM));
    expect(row(controls.poseImages, 3, PLANE)).toEqual(row(controls.poseImages, 2, PLANE));
    const again = await source.controls(track, SIZE, { reference, driver: { clipPath } });
    expect(again.expressions).toEqual(controls.expressions);
    expect(again.poseImages).toEqual(controls.poseImages);
  });

  it('gives each frame the PD-FGC vector of its own aligned 512-crop face', async () => {
    const controls = await source.controls(track, SIZE, { reference, driver: { clipPath } });
    const clip = await decodeVideo(clipPath, { fps: track.fps });
    const frames = clip.frames.map((data) => ({ width: clip.width, height: clip.height, data }));
    const toolkit = await createHelloMemeFaceToolkit(path.join(root, 'models'), { provider: 'cpu', threads: 1 });
    const encoder = await openPdFgcSession(path.join(root, 'models', ...PD_FGC_REPO.split('/')), { cacheDir: path.join(root, 'graphs'), provider: 'cpu', threads: 1 });
    try {
      const analysis = await toolkit.analyse(frames);
      expect(analysis.frameIndices).toEqual([0, 1, 2, 4, 5]);
      const last = await encoder.encode([buildPdFgcInput(analysis.crop.frames[4], analysis.crop.landmarks[4]).tensor]);
      expect(row(controls.expressions, 5, EXPRESSION_DIM)).toEqual(last);
    } finally {
      await Promise.all([toolkit.dispose(), encoder.dispose()]);
    }
  });

  it('falls back to the MotionTrack source, saying why, without a clip or without a face in it', async () => {
    const noClip = await source.controls(track, SIZE, { reference });
    expect(noClip.source).toBe('motion-track (no driver clip given to the engine)');
    expect(noClip.expressions.every((v) => v === 0)).toBe(true);
    const blank = await writeLosslessClip(path.join(root, 'blank.mkv'), [faceScene(0, 0, true), faceScene(0, 0, true)], track.fps);
    const noFace = await source.controls(headTurnTrack(2), SIZE, { reference, driver: { clipPath: blank } });
    expect(noFace.source).toBe('motion-track (the face toolkit found no face in the driver)');
    expect(noFace.poseImages).toHaveLength(2 * PLANE);
  });

  it("places the pose quad by the photo's 3DMM translation, or as in the driver when the photo has no toolkit face", async () => {
    const faceless: EngineReference = { ...reference, image: faceScene(0, 0, true) };
    const asDriver = await source.controls(track, SIZE, { reference: faceless, driver: { clipPath } });
    expect(asDriver.source).toMatch(/^face-toolkit \(.*no toolkit face in the photo/);
    expect(asDriver.expressions.some((v) => v !== 0)).toBe(true);
    // The same face further right in its photo sits elsewhere in its 512 crop (the crop is pushed inside the frame).
    const movedFace: EngineReference = { ...reference, image: faceScene(144, 6) };
    const moved = await source.controls(track, SIZE, { reference: movedFace, driver: { clipPath } });
    expect(moved.source).not.toMatch(/no toolkit face/);
    expect(moved.expressions).toEqual(asDriver.expressions);
    expect(Math.abs(drawnCentroidX(row(moved.poseImages, 0, PLANE)) - drawnCentroidX(row(asDriver.poseImages, 0, PLANE)))).toBeGreaterThan(2);
  });
});

describe('control source choice', () => {
  it('uses the face toolkit when its files are in the models dir, else the MotionTrack fallback', async () => {
    const chosen = await controlSourceFor(path.join(root, 'models'), { cacheDir: path.join(root, 'graphs') });
    expect(chosen.name).toBe('face-toolkit');
    await chosen.dispose?.();
    expect((await controlSourceFor(path.join(root, 'no-models'))).name).toBe('motion-track');
  });
});

describe('nearestKeptFrame', () => {
  it('maps every frame to the nearest kept one, the earlier on a tie, and past the end to the last', () => {
    expect([...nearestKeptFrame([0, 1, 2, 4, 5], 6)]).toEqual([0, 1, 2, 2, 3, 4]);
    expect([...nearestKeptFrame([1, 4], 7)]).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect([...nearestKeptFrame([3], 5)]).toEqual([0, 0, 0, 0, 0]);
    expect(() => nearestKeptFrame([], 3)).toThrow(expect.objectContaining({ code: 'NO_FACE' }));
  });
});
