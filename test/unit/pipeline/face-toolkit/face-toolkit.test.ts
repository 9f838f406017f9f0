// The face toolkit end to end on real ONNX Runtime with stand-in models of the shipped signatures: detection through
// letterbox/GFL/NMS, 3-iteration alignment, two-pass tracking with dropped frames, 512 crop, 3DMM pose, pose images.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloMemeFaceToolkit, type HelloMemeFaceToolkit } from '../../../../src/pipeline/face-toolkit/face-toolkit.ts';
import type { RgbImage } from '../../../../src/pipeline/types.ts';
import { POSE_ANGLES, writeStandInModels } from './stand-in-models.ts';

const WIDTH = 320;
const HEIGHT = 544;
/** the marker fills letterbox cell (row 10, col 5) at stride 8: frame x 80..95, y 160..175 */
const CENTRE = [87.5, 167.5];

/** A grey disc (radius 60) with a white 16² marker at its centre, shifted by dx; or an empty frame. */
function scene(dx: number, empty = false): RgbImage {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  if (!empty) {
    for (let y = 0; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        const ux = x - dx;
        const marker = ux >= 80 && ux < 96 && y >= 160 && y < 176;
        const disc = (ux - CENTRE[0]) ** 2 + (y - CENTRE[1]) ** 2 <= 60 ** 2;
        if (marker || disc) data.fill(marker ? 255 : 128, (y * WIDTH + x) * 3, (y * WIDTH + x) * 3 + 3);
      }
  }
  return { width: WIDTH, height: HEIGHT, data };
}

/** Blob centre from the stand-in's template: points 74/96 sit at (∓20, −10)/s around it. */
function centreFromPoints(points: ArrayLike<number>): [number, number] {
  const scale = 40 / (points[192] - points[148]);
  return [(points[148] + points[192]) / 2, (points[149] + points[193]) / 2 + 10 / scale];
}

let modelsDir: string;
let toolkit: HelloMemeFaceToolkit;

beforeAll(async () => {
  modelsDir = mkdtempSync(path.join(tmpdir(), 'hm-face-'));
  await writeStandInModels(modelsDir);
  toolkit = await createHelloMemeFaceToolkit(modelsDir, { provider: 'cpu', threads: 1 });
});

afterAll(async () => {
  await toolkit?.dispose();
  rmSync(modelsDir, { recursive: true, force: true });
});

describe('HelloMeme face toolkit on stand-in models', () => {
  it('detects the marker as one box: cell corner (40, 80), sides 3/4/5/6 bins × 8, ×2 back to the frame', async () => {
    const faces = await toolkit.detect(scene(0));
    expect(faces).toHaveLength(1);
    expect(faces[0].box).toEqual([32, 96, 160, 256]);
    expect(faces[0].score).toBeCloseTo(1 / (1 + Math.exp(-4 * ((255 - 103.53) / 57.375 - 2))), 4);
    expect(await toolkit.detect(scene(0, true))).toEqual([]);
  });

  it('aligns in 3 iterations onto the blob, whatever the seed box', async () => {
    for (const box of [
      [32, 96, 160, 256],
      [40, 120, 150, 230],
    ]) {
      const face = await toolkit.align(scene(0), { box });
      const [cx, cy] = centreFromPoints(face.points);
      expect(Math.abs(cx - CENTRE[0])).toBeLessThan(0.5);
      expect(Math.abs(cy - CENTRE[1])).toBeLessThan(0.5);
      expect(face.prob).toBeGreaterThan(0.99);
      expect(face.pitchRad).toBeCloseTo(0.1, 6);
      expect(face.yawRad).toBeCloseTo(-0.2, 6);
    }
  });

  it('tracks a moving face, smooths it, drops the frame without one, and re-detects after', async () => {
    const frames = [scene(0), scene(2), scene(4), scene(0, true), scene(0)];
    const result = await toolkit.track(frames);
    expect(result.frameIndices).toEqual([0, 1, 2, 4]);
    const xs = result.points.map((p) => centreFromPoints(p)[0]);
    expect(Math.abs(xs[0] - CENTRE[0])).toBeLessThan(0.5);
    // Smoother222 lags behind the 2 px steps but moves the right way
    expect(xs[1]).toBeGreaterThan(xs[0] + 0.2);
    expect(xs[1]).toBeLessThan(CENTRE[0] + 2 + 0.3);
    expect(xs[2]).toBeGreaterThan(xs[1]);
    expect(Math.abs(xs[3] - CENTRE[0])).toBeLessThan(0.5);
  });

  it('analyses a clip into 512 crops, landmarks in crop space and 3DMM poses', async () => {
    const analysis = await toolkit.analyse([scene(0), scene(2)]);
    expect(analysis.crop.frames.map((f) => [f.width, f.height])).toEqual([
      [512, 512],
      [512, 512],
    ]);
    const rect = analysis.crop.rect!;
    expect(rect.x1 - rect.x0).toBe(rect.y1 - rect.y0);
    const [cx, cy] = centreFromPoints(analysis.crop.landmarks[0]);
    expect(cx).toBeCloseTo(((CENTRE[0] - rect.x0) * 512) / (rect.x1 - rect.x0), 0);
    expect(cy).toBeCloseTo(((CENTRE[1] - rect.y0) * 512) / (rect.y1 - rect.y0), 0);
    analysis.poses.forEach((p) => void p.rot.forEach((v, i) => void expect(v).toBeCloseTo(POSE_ANGLES[i], 6)));
  });

  it('fails with NO_FACE on a clip without faces', async () => {
    await expect(toolkit.track([scene(0, true), scene(0, true)])).rejects.toMatchObject({ code: 'NO_FACE' });
  });
});

describe('createHelloMemeFaceToolkit', () => {
  it('names the missing model file and the command that fetches it', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'hm-face-empty-'));
    try {
      await expect(createHelloMemeFaceToolkit(empty, { provider: 'cpu' })).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringMatching(/hello_face_det\.onnx.*models pull/) });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
