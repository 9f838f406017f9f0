import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, MemeError } from '../../../../src/errors.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { smoothFaceTrack } from '../../../../src/pipeline/face/face-tracker.ts';
import type { Face, FrameSequence } from '../../../../src/pipeline/types.ts';
import { decodeClip } from './face-fixtures.ts';

let analyzer: FaceAnalyzer;
let clip: FrameSequence;

beforeAll(async () => {
  analyzer = await createFaceAnalyzer();
  clip = decodeClip('jgz.mp4', 10, 384, 20);
});

afterAll(async () => {
  await analyzer?.dispose();
});

const NOSE_TIP = 1;

/** Sum over frames of the mean landmark displacement from the previous frame (pixels). */
function pathLength(faces: Face[]): number {
  let total = 0;
  for (let t = 1; t < faces.length; t++) {
    const [a, b] = [faces[t - 1].landmarks, faces[t].landmarks];
    let sum = 0;
    for (let i = 0; i < a.length; i += 3) sum += Math.hypot(b[i] - a[i], b[i + 1] - a[i + 1]);
    total += sum / (a.length / 3);
  }
  return total;
}

function syntheticFace(x: number): Face {
  const landmarks = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) landmarks.set([x + (i % 20), 100 + Math.floor(i / 20), 0], i * 3);
  return { box: { x, y: 100, width: 19, height: 23 }, score: 0.9, landmarks, pose: { yaw: 0, pitch: 0, roll: 0 } };
}

describe('trackSequence on a meme clip', () => {
  it('finds the face in most frames, with landmarks that move', async () => {
    expect(clip.frames.length).toBe(20);
    const faces = await analyzer.trackSequence(clip);
    expect(faces.length).toBe(clip.frames.length);
    const found = faces.filter((f): f is Face => f !== null);
    expect(found.length).toBeGreaterThanOrEqual(16);
    for (const face of found) expect(face.landmarks.length).toBe(478 * 3);
    const noseXs = found.map((f) => f.landmarks[NOSE_TIP * 3]);
    expect(Math.max(...noseXs) - Math.min(...noseXs)).toBeGreaterThan(3);
    const yaws = found.map((f) => f.pose.yaw);
    expect(Math.max(...yaws) - Math.min(...yaws)).toBeGreaterThan(5);
  });

  it('smoothing shortens the landmark path compared to raw per-frame landmarks', async () => {
    const raw = await analyzer.trackSequence(clip, { smoothing: false });
    const smooth = await analyzer.trackSequence(clip);
    const bothFound = raw.flatMap((f, i) => (f && smooth[i] ? [i] : []));
    expect(bothFound.length).toBeGreaterThanOrEqual(16);
    const pick = (faces: (Face | null)[]) => bothFound.map((i) => faces[i] as Face);
    expect(pathLength(pick(smooth))).toBeLessThan(pathLength(pick(raw)));
  });

  it('reports progress and stops with CANCELLED when aborted', async () => {
    const controller = new AbortController();
    const fractions: number[] = [];
    const run = analyzer.trackSequence(clip, {
      signal: controller.signal,
      onProgress: (fraction) => {
        fractions.push(fraction);
        if (fractions.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toSatisfy((e) => e instanceof MemeError && e.code === 'CANCELLED');
    expect(fractions).toEqual([1 / 20, 2 / 20, 3 / 20]);
  });

  it('rejects frames of the wrong size with NOT_A_VIDEO', async () => {
    const bad = { width: 64, height: 64, fps: 10, frames: [new Uint8Array(64 * 64 * 3), new Uint8Array(5)] };
    await expect(analyzer.trackSequence(bad)).rejects.toSatisfy((e) => e instanceof InputError && e.code === 'NOT_A_VIDEO');
  });
});

describe('smoothFaceTrack', () => {
  it('keeps gaps, restarts after each gap and moves box and pose with the landmarks', () => {
    const faces = [syntheticFace(0), syntheticFace(10), null, syntheticFace(50), syntheticFace(60)];
    const out = smoothFaceTrack(faces, 10, { minCutoff: 1, beta: 0, dCutoff: 1 }, 200, 200);
    expect(out[2]).toBeNull();
    expect(out[0]?.landmarks[0]).toBe(0);
    expect(out[3]?.landmarks[0]).toBe(50); // a fresh run starts from its own first sample
    const second = out[1] as Face;
    expect(second.landmarks[0]).toBeGreaterThan(0);
    expect(second.landmarks[0]).toBeLessThan(10);
    expect(second.box.x).toBeCloseTo(second.landmarks[0], 4);
    expect(faces[1]?.landmarks[0]).toBe(10); // input untouched
  });
});
