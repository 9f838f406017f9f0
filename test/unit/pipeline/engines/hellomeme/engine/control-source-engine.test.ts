// The tiny HelloMeme engine end to end with the face-toolkit ControlSource: the driver clip's expressions change the
// render, lastRun names the source, and runMeme hands the engine the clip it resolved (render.ts wiring).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloMemeEngine, type HelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { createToolkitControlSource } from '../../../../../../src/pipeline/engines/hellomeme/toolkit-control-source.ts';
import { createRenderer } from '../../../../../../src/pipeline/render.ts';
import { faceScene, sceneReference, writeFaceToolkitModels, writeLosslessClip } from './control-source-fixtures.ts';
import { headTurnTrack, TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';
import { referenceImage } from '../../../../../helpers/fixtures.ts';
import { noGpu } from '../../../../../helpers/gpu-probes.ts';

const PHOTO = readFileSync(referenceImage('harris.jpg'));
const FRAMES = [faceScene(0, 4), faceScene(2, 10), faceScene(4, 16), faceScene(2, 10)];
const track = headTurnTrack(FRAMES.length);
const reference = sceneReference();
let root: string;
let clipPath: string;
let engine: HelloMemeEngine;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'hm-toolkit-engine-'));
  const [dir] = await Promise.all([tinyModelDir(), writeFaceToolkitModels(path.join(root, 'models'))]);
  clipPath = await writeLosslessClip(path.join(root, 'driver.mkv'), FRAMES, track.fps);
  const controlSource = createToolkitControlSource({ modelsDir: path.join(root, 'models'), cacheDir: dir.cache, provider: 'cpu', threads: 1 });
  engine = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1, residency: 'all' }, controlSource, latentSize: TINY_LATENT, steps: 2 });
});

afterAll(async () => {
  await engine?.dispose();
  rmSync(root, { recursive: true, force: true });
});

function differs(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('hellomeme engine with the face-toolkit control source', () => {
  it('renders from the driver clip, says so, and its controls change the frames', async () => {
    const withClip = await engine.render(reference, track, { fps: track.fps, seed: 5, driver: { clipPath } });
    expect(engine.lastRun?.controlSource).toBe('face-toolkit');
    expect(withClip.frames).toHaveLength(FRAMES.length);
    expect([withClip.width, withClip.height]).toEqual([reference.image.width, reference.image.height]);
    const withoutClip = await engine.render(reference, track, { fps: track.fps, seed: 5 });
    expect(engine.lastRun?.controlSource).toBe('motion-track (no driver clip given to the engine)');
    expect(differs(withClip.frames[1], withoutClip.frames[1])).toBeGreaterThan(0);
  }, 60_000);

  it('is handed the template clip by runMeme', async () => {
    const renderer = await createRenderer({ hellomeme: engine, probe: noGpu(), cacheDir: path.join(tmpdir(), 'memeloom-test-cache') });
    try {
      const result = await renderer.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', engine: 'hellomeme', fps: 2, maxSide: 256, seed: 1 });
      expect(result.engine).toBe('hellomeme');
      // The stand-in face models may or may not find a "face" in a real clip; either way the clip reached the source.
      expect(engine.lastRun?.controlSource).toMatch(/^(face-toolkit|motion-track \(the face toolkit found no face in the driver\))/);
      expect(engine.lastRun?.frameCount).toBe(result.frameCount);
    } finally {
      await renderer.dispose();
    }
  }, 90_000);
});
