// Shared fixtures for the HelloMeme engine tests: one tiny model set written by the project's own tool into a
// temp dir, a synthetic photo with a face box, and a synthetic head-turn MotionTrack.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineDriver, EngineReference } from '../../../../../../src/pipeline/engines/engine.ts';
import { writeTinyHelloMeme } from '../../../../../helpers/tiny-hellomeme/tiny-hellomeme.ts';
import { allocateTrack, type MotionTrack } from '../../../../../../src/pipeline/motion/motion-track.ts';

export const TINY_LATENT = 16;

/** Writes the tiny models once per test file; returns the folder and a private graph cache. */
export async function tinyModelDir(seed = 101): Promise<{ models: string; cache: string }> {
  const root = mkdtempSync(join(tmpdir(), 'memeloom-hm-engine-'));
  await writeTinyHelloMeme(join(root, 'models'), seed);
  return { models: join(root, 'models'), cache: join(root, 'graphs') };
}

/** A 200×240 gradient photo with 478 landmarks on an ellipse around (100, 110) (face about 70×90 px). */
export function syntheticReference(): EngineReference {
  const width = 200;
  const height = 240;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = x % 256;
      data[i + 1] = y % 256;
      data[i + 2] = (x * y) % 256;
    }
  }
  const landmarks = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) {
    const a = (i / 478) * 2 * Math.PI;
    const r = (i % 7) / 6;
    landmarks[i * 3] = 100 + 35 * r * Math.cos(a);
    landmarks[i * 3 + 1] = 110 + 45 * r * Math.sin(a);
  }
  const image = { width, height, data };
  return { image, source: image, face: { box: { x: 65, y: 65, width: 70, height: 90 }, score: 1, landmarks, pose: { yaw: 0, pitch: 0, roll: 0 } } };
}

/** A motion-track driver as render.ts hands it over where the face toolkit is missing. */
export function motionDriver(track: MotionTrack, toolkitMissing = 'no face toolkit in this test'): EngineDriver {
  return { fps: track.fps, frameCount: track.frameCount, motion: track, toolkitMissing };
}

/** `frames` frames at 8 fps turning the head from −20° to +20° yaw with a little pitch. */
export function headTurnTrack(frames: number): MotionTrack {
  const track = allocateTrack(frames, 478, 8);
  for (let f = 0; f < frames; f++) track.poses.set([-20 + (40 * f) / Math.max(1, frames - 1), 5 * Math.sin(f), 0], f * 3);
  track.found.fill(1);
  return track;
}
