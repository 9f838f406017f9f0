// What issue 12 holds the warp engine to, measured the way `npm run eval` measures it: the face analyzer reads
// the driver's frames and the output's, and scoreTake compares them (pose, mouth and eye series, identity,
// framing). Two photos (a photo and a CG cartoon) on three templates (a head turn, talking with blinks, a laugh).
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWarpEngine } from '../../../../src/pipeline/engines/warp/warp-engine.ts';
import { scoreTake } from '../../../../src/pipeline/eval/take-scores.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { cosineSimilarity } from '../../../../src/pipeline/face/face-match.ts';
import { decodeVideo } from '../../../../src/pipeline/media/video.ts';
import { loadDriverMotion, templateDriverClip } from '../../../../src/pipeline/motion/driver-motion.ts';
import { LEFT_EYE_KEYS, MESH_POINTS, RIGHT_EYE_KEYS } from '../../../../src/pipeline/motion/face-regions.ts';
import { createMotionCache } from '../../../../src/pipeline/motion/motion-cache.ts';
import { photoFaceGeometry } from '../../../../src/pipeline/motion/retarget.ts';
import { planTake } from '../../../../src/pipeline/motion/take.ts';
import { allocateTrack } from '../../../../src/pipeline/motion/motion-track.ts';
import { createRenderer } from '../../../../src/pipeline/render.ts';
import type { Face, RgbImage } from '../../../../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../../../../src/templates/catalog.ts';
import { loadRgb, referenceImage } from '../../../helpers/fixtures.ts';

const catalog = await loadTemplateCatalog();

describe('warp engine quality, read back by the face analyzer', () => {
  let faces: FaceAnalyzer;
  const photos: Record<string, { image: RgbImage; face: Face; descriptor: Float32Array }> = {};

  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    for (const name of ['trump.jpg', 'toon.png']) {
      const image = await loadRgb(referenceImage(name));
      const face = await faces.analyze(image);
      photos[name] = { image, face, descriptor: await faces.describe(image, face) };
    }
  });
  afterAll(() => faces.dispose());

  async function take(photoName: string, templateId: string, seed = 0) {
    const clip = templateDriverClip(catalog.get(templateId));
    const driverFrames = await decodeVideo(clip.path, { fps: clip.fps, maxSide: 512, startSec: clip.startSec, endSec: clip.endSec });
    const driver = await faces.trackSequence(driverFrames);
    const motion = await loadDriverMotion(clip, { faces, cache: createMotionCache(await tempDir()) });
    const photo = photos[photoName];
    const out = await createWarpEngine({ faceTriangles: faces.meshTriangles }).render({ ...photo, source: photo.image }, { fps: motion.fps, frameCount: motion.frameCount, motion }, { seed });
    const output = await faces.trackSequence(out);
    const identities: number[] = [];
    for (let i = 0; i < out.frames.length; i += 6) {
      const found = output[i];
      if (found) identities.push(cosineSimilarity(photo.descriptor, await faces.describe({ width: out.width, height: out.height, data: out.frames[i] }, found)));
    }
    const planned = planTake(photoFaceGeometry(photo.face.landmarks), motion, { width: out.width, height: out.height, fps: clip.fps, seed }).targets;
    return { out, driver, output, scores: scoreTake({ photo, driver: { frames: driverFrames, faces: driver }, output: { frames: out, faces: output }, identities, planned }) };
  }

  it.each([
    ['trump.jpg', 'side-eye'],
    ['toon.png', 'side-eye'],
    ['trump.jpg', 'big-laugh'],
    ['toon.png', 'talking-head'],
  ])('%s × %s: head and mouth follow the driver at full strength, the face stays whole, inside and itself', async (photo, template) => {
    const { scores } = await take(photo, template);
    const where = `${photo} × ${template}: ${JSON.stringify(scores)}`;
    if (Number.isFinite(scores.r.yaw)) expect(scores.r.yaw, where).toBeGreaterThanOrEqual(0.8);
    if (Number.isFinite(scores.r.roll)) expect(scores.r.roll, where).toBeGreaterThanOrEqual(0.7);
    expect(scores.r.mouth, where).toBeGreaterThanOrEqual(0.6);
    // Read back from the pixels the turn looks smaller than drawn where hair and outline stay put (0.63 for the
    // CG cartoon on side-eye, 0.82 over the eval; the previous engine read 0.59): at least 0.6, at most 1.4.
    if (Number.isFinite(scores.amplitude.yaw)) {
      expect(scores.amplitude.yaw, where).toBeGreaterThanOrEqual(0.6);
      expect(scores.amplitude.yaw, where).toBeLessThanOrEqual(1.4);
    }
    // The motion the engine draws opens the mouth and turns the head as far as the driver does (the analyzer's
    // reading of a drawn open mouth depends on the mouth interior: see the eval's "amp mouth").
    for (const planned of [scores.amplitude.plannedYaw, scores.amplitude.plannedMouth].filter(Number.isFinite)) {
      expect(planned, where).toBeGreaterThanOrEqual(0.85);
      expect(planned, where).toBeLessThanOrEqual(1.15);
    }
    expect(scores.inside, where).toBeGreaterThanOrEqual(0.95);
    expect(scores.identity.mean, where).toBeGreaterThanOrEqual(0.75);
  });

  it('closes both eyes together when the driver blinks, and keeps them open otherwise', async () => {
    const photo = photos['trump.jpg'];
    const clip = templateDriverClip(catalog.get('talking-head'));
    const motion = await loadDriverMotion(clip, { faces, cache: createMotionCache(await tempDir()) });
    const out = await createWarpEngine({ faceTriangles: faces.meshTriangles }).render({ ...photo, source: photo.image }, { fps: motion.fps, frameCount: motion.frameCount, motion }, {});
    const output = await faces.trackSequence(out);
    const blinks = Array.from({ length: motion.frameCount }, (_, i) => i).filter((i) => Math.max(motion.eyes[i * 2], motion.eyes[i * 2 + 1]) < 0.35);
    const open = Array.from({ length: motion.frameCount }, (_, i) => i).filter((i) => Math.min(motion.eyes[i * 2], motion.eyes[i * 2 + 1]) > 0.9);
    expect(blinks.length).toBeGreaterThan(0);
    for (const keys of [LEFT_EYE_KEYS, RIGHT_EYE_KEYS]) {
      const iris = irisOf(photo, keys);
      const visible = (i: number) => irisVisible(out.frames[i], out.width, output[i]!.landmarks, keys, iris);
      expect(Math.max(...blinks.map(visible)), `eye ${keys.outer} at the blinks`).toBeLessThan(0.25);
      expect(Math.min(...open.filter((i) => output[i]).slice(0, 10).map(visible)), `eye ${keys.outer} open`).toBeGreaterThan(0.5);
    }
  });

  it('keeps a wink a wink', async () => {
    const photo = photos['trump.jpg'];
    const track = allocateTrack(6, MESH_POINTS, 12);
    track.found.fill(1);
    for (let i = 3; i < 6; i++) track.eyes.set([0.05, 1], i * 2); // the image-left eye shuts, the other stays open
    const out = await createWarpEngine({ faceTriangles: faces.meshTriangles }).render({ ...photo, source: photo.image }, { fps: track.fps, frameCount: track.frameCount, motion: track }, {});
    const last = (await faces.detect({ width: out.width, height: out.height, data: out.frames[5] }))[0];
    expect(irisVisible(out.frames[5], out.width, last.landmarks, LEFT_EYE_KEYS, irisOf(photo, LEFT_EYE_KEYS))).toBeLessThan(0.25);
    expect(irisVisible(out.frames[5], out.width, last.landmarks, RIGHT_EYE_KEYS, irisOf(photo, RIGHT_EYE_KEYS))).toBeGreaterThan(0.5);
  });

  it('renders the same bytes for the same seed, and a visibly different but faithful take for another', async () => {
    const renderer = await createRenderer({ templates: catalog, faces, cacheDir: await tempDir(), hellomeme: null });
    const photo = await readFile(referenceImage('trump.jpg'));
    try {
      const spec = { photo, templateId: 'side-eye', format: 'gif' as const };
      const [a, b, c] = [await renderer.render({ ...spec, seed: 11 }), await renderer.render({ ...spec, seed: 11 }), await renderer.render({ ...spec, seed: 12 })];
      expect(a.bytes.equals(b.bytes)).toBe(true);
      expect(a.bytes.equals(c.bytes)).toBe(false);
    } finally {
      await renderer.dispose();
    }
    const first = await take('trump.jpg', 'side-eye', 0);
    const other = await take('trump.jpg', 'side-eye', 12);
    const yaw = (series: (Face | null)[]) => series.map((f) => f?.pose.yaw ?? Number.NaN);
    const [y0, y1] = [yaw(first.output), yaw(other.output)];
    const meanGap = y0.reduce((sum, v, i) => sum + (Number.isFinite(v - y1[i]) ? Math.abs(v - y1[i]) : 0), 0) / y0.length;
    expect(meanGap).toBeGreaterThan(3); // degrees: visibly different head motion
    expect(other.scores.inside).toBeGreaterThanOrEqual(0.95);
    expect(other.scores.identity.mean).toBeGreaterThanOrEqual(0.75);
  });
});

interface Iris {
  colour: [number, number, number];
  radius: number;
}

/** The photo's iris: its mean colour within 60% of its radius, and its radius (centre to a rim point). */
function irisOf(photo: { image: RgbImage; face: Face }, keys: typeof LEFT_EYE_KEYS): Iris {
  const l = photo.face.landmarks;
  const radius = Math.hypot(l[(keys.iris + 1) * 3] - l[keys.iris * 3], l[(keys.iris + 1) * 3 + 1] - l[keys.iris * 3 + 1]);
  const sum: [number, number, number] = [0, 0, 0];
  let count = 0;
  forDisc(l[keys.iris * 3], l[keys.iris * 3 + 1], radius * 0.6, photo.image.width, (o) => {
    for (let c = 0; c < 3; c++) sum[c] += photo.image.data[o + c];
    count++;
  });
  return { colour: [sum[0] / count, sum[1] / count, sum[2] / count], radius };
}

/** Share of the disc where `frame` shows the iris there (colour within 40 of the photo's iris): 0 for a shut lid. */
function irisVisible(frame: Uint8Array, width: number, landmarks: Float32Array, keys: typeof LEFT_EYE_KEYS, iris: Iris): number {
  let hits = 0;
  let count = 0;
  forDisc(landmarks[keys.iris * 3], landmarks[keys.iris * 3 + 1], iris.radius * 0.6, width, (o) => {
    const d = Math.hypot(frame[o] - iris.colour[0], frame[o + 1] - iris.colour[1], frame[o + 2] - iris.colour[2]);
    if (d < 40) hits++;
    count++;
  });
  return count ? hits / count : 0;
}

function forDisc(cx: number, cy: number, radius: number, width: number, visit: (offset: number) => void): void {
  for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
    for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
      if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= radius) visit((y * width + x) * 3);
    }
  }
}

function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'warp-quality-'));
}
