import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDriver } from '../../../../src/pipeline/engines/engine.ts';
import { createWarpEngine } from '../../../../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { INNER_LIPS, LEFT_EYE_KEYS, MESH_POINTS, RIGHT_EYE_KEYS } from '../../../../src/pipeline/motion/face-regions.ts';
import { encodeJpeg } from '../../../../src/pipeline/media/image.ts';
import { type DriverMouths, MOUTH_CROP_HEIGHT, MOUTH_CROP_WIDTH } from '../../../../src/pipeline/motion/driver-mouths.ts';
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

/** Driver mouths for every frame: white upper teeth over a dark red throat, from a warm-skinned driver. */
async function teethMouths(frameCount: number): Promise<DriverMouths> {
  const crop = new Uint8Array(MOUTH_CROP_WIDTH * MOUTH_CROP_HEIGHT * 3);
  for (let j = 0; j < MOUTH_CROP_HEIGHT; j++) {
    for (let i = 0; i < MOUTH_CROP_WIDTH; i++) crop.set(j < MOUTH_CROP_HEIGHT / 3 ? [235, 230, 220] : [70, 20, 25], (j * MOUTH_CROP_WIDTH + i) * 3);
  }
  const atlas = await encodeJpeg({ width: MOUTH_CROP_WIDTH, height: MOUTH_CROP_HEIGHT, data: crop }, 95);
  return { width: MOUTH_CROP_WIDTH, height: MOUTH_CROP_HEIGHT, cropOf: new Int16Array(frameCount), atlas: new Uint8Array(atlas), skin: Float32Array.from([150, 115, 150, 25, 6, 8]) };
}

function greyscale(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) data.fill(Math.round(0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2]), p, p + 3);
  return { ...image, data };
}

function maxChroma(frame: Uint8Array): number {
  let max = 0;
  for (let p = 0; p < frame.length; p += 3) max = Math.max(max, Math.abs(frame[p] - frame[p + 1]), Math.abs(frame[p + 1] - frame[p + 2]));
  return max;
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

  it("opens the driver's own mouth, colour-matched, and closes the eyelids when the driver does", async () => {
    const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
    const track = syntheticTrack(4);
    track.rotations.set(eulerDegToRotation(0, 0, 0), 3 * 9);
    track.translations.fill(0);
    track.mouths = await teethMouths(track.frameCount);
    const grey = greyscale(image);
    const out = await engine.render({ image: grey, face, source: grey }, drive(track), {});
    const l = face.landmarks;
    const size = faceSize(l);
    // Under the upper lip the driver's white teeth, further down its dark throat.
    const mouthX = l[13 * 3];
    const upperLip = l[13 * 3 + 1];
    const drop = 0.35 * size;
    const teeth = luminanceAt(out.frames[3], image, mouthX, upperLip + drop * 0.15);
    const throat = luminanceAt(out.frames[3], image, mouthX, upperLip + drop * 0.6);
    expect(teeth).toBeGreaterThan(throat + 60);
    expect(throat).toBeLessThan(luminanceAt(grey.data, image, mouthX, upperLip + drop * 0.6) - 30);
    // The photo is grey, and so is every pixel of every frame: no coloured mouth.
    for (const frame of out.frames) expect(maxChroma(frame)).toBeLessThanOrEqual(2);
    // Without the driver's mouth nothing is painted there: no fixed-colour patch.
    const bare = await engine.render({ image: grey, face, source: grey }, drive({ ...track, mouths: undefined }), {});
    expect(luminanceAt(bare.frames[3], image, mouthX, upperLip + drop * 0.15)).toBeLessThan(teeth - 40);
    // The iris centre of a closed eye shows lid skin, brighter than the iris was.
    const eyeX = (l[LEFT_EYE_KEYS.upper * 3] + l[LEFT_EYE_KEYS.lower * 3]) / 2;
    const eyeY = (l[LEFT_EYE_KEYS.upper * 3 + 1] + l[LEFT_EYE_KEYS.lower * 3 + 1]) / 2;
    expect(luminanceAt(out.frames[3], image, eyeX, eyeY)).not.toBeCloseTo(luminanceAt(grey.data, image, eyeX, eyeY), -1);
  });

  it("moves the irises with the driver's gaze", async () => {
    const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
    const track = syntheticTrack(2);
    track.expressions.fill(0);
    track.eyes.fill(1); // open: the synthetic driver shuts them by its last frame
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
