import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDriver } from '../../../../src/pipeline/engines/engine.ts';
import { createWarpEngine } from '../../../../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { INNER_LIPS, LEFT_EYE_KEYS, MESH_POINTS, RIGHT_EYE_KEYS } from '../../../../src/pipeline/motion/face-regions.ts';
import { faceSize } from '../../../../src/pipeline/motion/face-signals.ts';
import { allocateTrack, type MotionTrack } from '../../../../src/pipeline/motion/motion-track.ts';
import { eulerDegToRotation } from '../../../../src/pipeline/motion/rigid-fit.ts';
import type { Face, RgbImage } from '../../../../src/pipeline/types.ts';
import { loadRgb, referenceImage } from '../../../helpers/fixtures.ts';

/** The driver as render.ts hands it to an engine that needs the motion track. */
const drive = (motion: MotionTrack): EngineDriver => ({ fps: motion.fps, frameCount: motion.frameCount, motion });

/** A synthetic driver: frame 0 neutral, then the head rolls, the mouth opens and the eyes shut. */
function syntheticTrack(frameCount: number): MotionTrack {
  const n = MESH_POINTS;
  const track = allocateTrack(frameCount, n, 10);
  track.found.fill(1);
  for (let i = 0; i < frameCount; i++) {
    const t = i / (frameCount - 1);
    track.rotations.set(eulerDegToRotation(0, 0, 12 * t), i * 9);
    track.translations[i * 3] = 0.1 * t;
    for (const j of INNER_LIPS.slice(11)) track.expressions[(i * n + j) * 3 + 1] = 0.35 * t; // lower lip drops
    track.eyes.fill(1 - t, i * 2, i * 2 + 2); // both eyes close
  }
  return track;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array, image: RgbImage, x0: number, y0: number, w: number, h: number): number {
  let sum = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) for (let c = 0; c < 3; c++) sum += Math.abs(a[(y * image.width + x) * 3 + c] - b[(y * image.width + x) * 3 + c]);
  return sum / (w * h * 3);
}

function luminanceAt(frame: Uint8Array, image: RgbImage, x: number, y: number): number {
  const o = (Math.round(y) * image.width + Math.round(x)) * 3;
  return 0.299 * frame[o] + 0.587 * frame[o + 1] + 0.114 * frame[o + 2];
}

describe('warp engine', () => {
  let faces: FaceAnalyzer;
  let image: RgbImage;
  let face: Face;

  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    image = await loadRgb(referenceImage('trump.jpg'));
    face = await faces.analyze(image);
  });
  afterAll(() => faces.dispose());

  it('moves the face while the corners of the picture stay still', async () => {
    const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
    const out = await engine.render({ image, face, source: image }, drive(syntheticTrack(6)), {});
    expect(out.frames).toHaveLength(6);
    expect([out.width, out.height]).toEqual([image.width, image.height]);
    const last = out.frames[5];
    const corner = 32;
    for (const [x, y] of [[0, 0], [image.width - corner, 0], [0, image.height - corner], [image.width - corner, image.height - corner]]) {
      expect(meanAbsDiff(last, image.data, image, x, y, corner, corner)).toBeLessThan(0.5);
    }
    const { x, y, width, height } = face.box;
    expect(meanAbsDiff(last, image.data, image, Math.round(x), Math.round(y), Math.round(width), Math.round(height))).toBeGreaterThan(8);
    // The first frame is the neutral pose: nearly the photo itself.
    expect(meanAbsDiff(out.frames[0], image.data, image, Math.round(x), Math.round(y), Math.round(width), Math.round(height))).toBeLessThan(2);
  });

  it('opens a dark mouth and closes the eyelids when the driver does', async () => {
    const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
    const track = syntheticTrack(4);
    track.rotations.set(eulerDegToRotation(0, 0, 0), 3 * 9);
    track.translations.fill(0);
    const out = await engine.render({ image, face, source: image }, drive(track), {});
    const l = face.landmarks;
    const size = faceSize(l);
    // Where the open mouth now is: between the upper inner lip and the dropped lower lip.
    const mouthX = l[13 * 3];
    const mouthY = l[13 * 3 + 1] + 0.35 * size * 0.6;
    expect(luminanceAt(out.frames[3], image, mouthX, mouthY)).toBeLessThan(luminanceAt(image.data, image, mouthX, mouthY) - 30);
    // The iris centre of a closed eye shows lid skin, brighter than the iris was.
    const eyeX = (l[LEFT_EYE_KEYS.upper * 3] + l[LEFT_EYE_KEYS.lower * 3]) / 2;
    const eyeY = (l[LEFT_EYE_KEYS.upper * 3 + 1] + l[LEFT_EYE_KEYS.lower * 3 + 1]) / 2;
    expect(luminanceAt(out.frames[3], image, eyeX, eyeY)).not.toBeCloseTo(luminanceAt(image.data, image, eyeX, eyeY), -1);
  });

  it("moves the irises with the driver's gaze", async () => {
    const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
    const track = syntheticTrack(2);
    track.expressions.fill(0);
    track.rotations.set(eulerDegToRotation(0, 0, 0), 9);
    track.translations.fill(0);
    const shiftPx = 4;
    // Look to the image's right: towards the inner corner of the image-left eye, the outer of the other.
    for (const [e, keys] of [LEFT_EYE_KEYS, RIGHT_EYE_KEYS].entries()) {
      const width = Math.hypot(face.landmarks[keys.inner * 3] - face.landmarks[keys.outer * 3], face.landmarks[keys.inner * 3 + 1] - face.landmarks[keys.outer * 3 + 1]);
      track.gaze[4 + e * 2] = (e === 0 ? 1 : -1) * (shiftPx / width);
    }
    const out = await engine.render({ image, face, source: image }, drive(track), {});
    const darkestX = (frame: Uint8Array, centre: number) => {
      const cx = Math.round(face.landmarks[centre * 3]);
      const cy = Math.round(face.landmarks[centre * 3 + 1]);
      let best = cx;
      let bestLum = Number.POSITIVE_INFINITY;
      for (let x = cx - 8; x <= cx + 8; x++) {
        let lum = 0;
        for (let y = cy - 1; y <= cy + 1; y++) lum += luminanceAt(frame, image, x, y);
        if (lum < bestLum) [best, bestLum] = [x, lum];
      }
      return best;
    };
    for (const irisCentre of [468, 473]) {
      expect(darkestX(out.frames[1], irisCentre) - darkestX(image.data, irisCentre)).toBeGreaterThanOrEqual(2);
    }
  });

  it('stops when the signal fires', async () => {
    const engine = createWarpEngine();
    const controller = new AbortController();
    controller.abort();
    await expect(engine.render({ image, face, source: image }, drive(syntheticTrack(4)), {}, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
