// What a shared meme needs from the warp engine, measured on fixture photos (a photo, a painting, a cartoon,
// a black-and-white copy) under full-strength head motion (±35° yaw about the neck, pitch, roll, a shift) and
// under a real laughing driver: the picture's border does not move, face and hair move as one piece (no seam,
// tear or crease where they meet) while the shoulders stay put, a grey photo stays grey, and the face keeps its
// identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDriver } from '../../../../../src/pipeline/engines/engine.ts';
import { borderMargin, headFrame } from '../../../../../src/pipeline/engines/warp/head-regions.ts';
import { borderChange } from '../../../../../src/pipeline/eval/frame-checks.ts';
import { stillBorderWidth } from '../../../../../src/pipeline/still-border.ts';
import { sharedPersonSegmenter } from '../../../../../src/pipeline/engines/warp/person-segmenter.ts';
import { createWarpEngine } from '../../../../../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import { cosineSimilarity } from '../../../../../src/pipeline/face/face-match.ts';
import { decodeVideo } from '../../../../../src/pipeline/media/video.ts';
import { extractDriverMouths } from '../../../../../src/pipeline/motion/driver-mouths.ts';
import { extractMotion } from '../../../../../src/pipeline/motion/extract-motion.ts';
import { FACE_OVAL, INNER_LIPS, MESH_POINTS } from '../../../../../src/pipeline/motion/face-regions.ts';
import { allocateTrack, type MotionTrack } from '../../../../../src/pipeline/motion/motion-track.ts';
import { photoFaceGeometry } from '../../../../../src/pipeline/motion/retarget.ts';
import { planTake } from '../../../../../src/pipeline/motion/take.ts';
import { eulerDegToRotation, rotate3 } from '../../../../../src/pipeline/motion/rigid-fit.ts';
import type { Face, RgbImage } from '../../../../../src/pipeline/types.ts';
import { driveVideo, loadRgb, referenceImage } from '../../../../helpers/fixtures.ts';
import { borderDifference, greyscale, hairlineEnergy, headMotionMap, headMotionUnmap, maxChroma, motionError } from '../../../../helpers/warp-metrics.ts';

/** The driver as render.ts hands it to an engine that needs the motion track. */
const drive = (motion: MotionTrack): EngineDriver => ({ fps: motion.fps, frameCount: motion.frameCount, motion });

/** yaw, pitch, roll (degrees), sideways shift (face sizes), mouth drop (face sizes). */
const POSES: readonly [number, number, number, number, number][] = [
  [0, 0, 0, 0, 0], [35, 0, 0, 0, 0.3], [-35, 0, 0, 0, 0], [0, 20, 0, 0.1, 0.3], [0, -20, 15, -0.1, 0], [25, -10, -15, 0.15, 0.35], [-30, 10, 10, -0.2, 0.2],
];

/** The head turns about the neck (behind and below the face's centre), as a real head does. */
function neckTurn(landmarks: Float32Array, rotation: ArrayLike<number>): [number, number, number] {
  const g = photoFaceGeometry(landmarks);
  const at = (i: number, k: number) => landmarks[i * 3 + k];
  const height = Math.hypot(at(152, 0) - at(10, 0), at(152, 1) - at(10, 1));
  const pivot = [(at(234, 0) + at(454, 0)) / 2, (at(234, 1) + at(454, 1)) / 2 + 0.3 * height, (at(234, 2) + at(454, 2)) / 2];
  const d = [g.centre[0] - pivot[0], g.centre[1] - pivot[1], g.centre[2] - pivot[2]];
  const r = rotate3(rotation, d[0], d[1], d[2]);
  return [(r[0] - d[0]) / g.size, (r[1] - d[1]) / g.size, (r[2] - d[2]) / g.size];
}

function fullStrengthTrack(landmarks: Float32Array): MotionTrack {
  const [n, f] = [MESH_POINTS, POSES.length];
  const track = allocateTrack(f, n, 4);
  track.found.fill(1);
  POSES.forEach(([yaw, pitch, roll, shift, mouth], i) => {
    const rotation = eulerDegToRotation(yaw, pitch, roll);
    track.rotations.set(rotation, i * 9);
    const [tx, ty, tz] = neckTurn(landmarks, rotation);
    track.translations.set([tx + shift, ty, tz], i * 3);
    for (const j of INNER_LIPS.slice(11)) track.expressions[(i * n + j) * 3 + 1] = mouth;
  });
  return track;
}

const PHOTOS = ['trump.jpg', 'show4.jpg', 'toon.png', 'harris.jpg'] as const;

function insideOval(landmarks: Float32Array, [x, y]: [number, number]): boolean {
  let inside = false;
  for (let k = 0, j = FACE_OVAL.length - 1; k < FACE_OVAL.length; j = k++) {
    const [xk, yk, xj, yj] = [landmarks[FACE_OVAL[k] * 3], landmarks[FACE_OVAL[k] * 3 + 1], landmarks[FACE_OVAL[j] * 3], landmarks[FACE_OVAL[j] * 3 + 1]];
    if (yk > y !== yj > y && x < ((xj - xk) * (y - yk)) / (yj - yk) + xk) inside = !inside;
  }
  return inside;
}

/** Person all over the 21×21 window around (x, y): the match window holds no still background. */
function inside(person: Uint8Array, width: number, x: number, y: number): boolean {
  for (let dy = -10; dy <= 10; dy++) for (let dx = -10; dx <= 10; dx++) if (person[(Math.round(y) + dy) * width + Math.round(x) + dx] < 200) return false;
  return true;
}

/** Enough texture around (x, y) for a match to be unambiguous: luma spread in a 13×13 window. */
function textured(image: RgbImage, x: number, y: number): boolean {
  const values: number[] = [];
  for (let dy = -6; dy <= 6; dy++) {
    for (let dx = -6; dx <= 6; dx++) {
      const o = ((Math.round(y) + dy) * image.width + Math.round(x) + dx) * 3;
      values.push(0.299 * image.data[o] + 0.587 * image.data[o + 1] + 0.114 * image.data[o + 2]);
    }
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) > 6;
}

describe('warp engine quality', () => {
  let faces: FaceAnalyzer;
  let laugh: MotionTrack;
  const photos = new Map<string, { image: RgbImage; face: Face }>();

  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    const clip = await decodeVideo(driveVideo('jgz.mp4'), { fps: 8, maxSide: 512, endSec: 2.5 });
    const tracked = await faces.trackSequence(clip);
    laugh = extractMotion(tracked, clip.fps);
    laugh.mouths = await extractDriverMouths(clip, tracked);
    for (const name of PHOTOS) {
      const image = await loadRgb(referenceImage(name));
      photos.set(name, { image, face: await faces.analyze(image) });
    }
    const grey = greyscale(photos.get('harris.jpg')!.image);
    photos.set('harris-grey', { image: grey, face: await faces.analyze(grey) });
  });
  afterAll(() => faces.dispose());

  const engine = () => createWarpEngine({ faceTriangles: faces.meshTriangles });

  it("keeps the outer border of the picture exactly still under full-strength head motion, over the eval's whole border band", async () => {
    for (const [name, { image, face }] of photos) {
      const out = await engine().render({ image, face, source: image }, drive(fullStrengthTrack(face.landmarks)), {});
      // The band the eval measures (15 px at 512 px; main pinned 6 px, so the eval's border figure was not 0).
      const band = stillBorderWidth(image.width, image.height);
      expect(band).toBeGreaterThanOrEqual(15);
      for (const [i, frame] of out.frames.entries()) expect(borderChange(frame, image, band), `${name} frame ${i}`).toBe(0);
      // ... while the face itself really moves.
      const last = out.frames[out.frames.length - 1];
      expect(borderDifference(last, image, image.width / 2), name).toBeGreaterThan(5);
    }
  });

  it('turns the head like a 3-D head: the face analyzer reads most of a ±35° yaw in the rendered frames', async () => {
    for (const name of ['trump.jpg', 'show4.jpg', 'toon.png']) {
      const { image, face } = photos.get(name)!;
      const out = await engine().render({ image, face, source: image }, drive(fullStrengthTrack(face.landmarks)), {});
      const yawOf = async (i: number) => (await faces.analyze({ width: image.width, height: image.height, data: out.frames[i] })).pose.yaw;
      const [turned, back] = [(await yawOf(1)) - face.pose.yaw, (await yawOf(2)) - face.pose.yaw];
      // The analyzer's yaw runs the other way round from the rotation's; it reads about 70% of a pure turn.
      expect(turned, name).toBeLessThan(-0.55 * 35);
      expect(back, name).toBeGreaterThan(0.55 * 35);
    }
  });

  /** Neutral, then the head rolls 12°, shifts and grows 5% while the brows rise: motion in the picture's plane. */
  function inPlaneTrack(): MotionTrack {
    const track = fullStrengthTrack(new Float32Array(MESH_POINTS * 3));
    const n = MESH_POINTS;
    track.frameCount = 2;
    track.rotations = Float32Array.from([...eulerDegToRotation(0, 0, 0), ...eulerDegToRotation(0, 0, 12)]);
    track.translations = Float32Array.from([0, 0, 0, 0.15, -0.1, 0]);
    track.scales = Float32Array.from([1, 1.05]);
    track.expressions = new Float32Array(2 * n * 3);
    for (const j of [70, 63, 105, 66, 107, 336, 296, 334, 293, 300]) track.expressions[(n + j) * 3 + 1] = -0.06; // brows up
    return track;
  }

  it('moves face and hair as one piece while the shoulders stay put', async () => {
    const track = inPlaneTrack();
    for (const [name, { image, face }] of photos) {
      const out = await engine().render({ image, face, source: image }, drive(track), {});
      // The head's motion as the engine fits it: from the photo's landmarks with their depth relief softened.
      const geometry = photoFaceGeometry(face.landmarks);
      const target = planTake(geometry, track, { width: image.width, height: image.height, fps: 4 }).targets[1];
      const [map, unmap] = [headMotionMap(geometry.landmarks, target), headMotionUnmap(geometry.landmarks, target)];
      const person = await sharedPersonSegmenter().segment(image);
      const head = headFrame(face.landmarks);
      const along = (below: number, side: number): [number, number] => [
        head.chin[0] + head.down[0] * below * head.height - head.down[1] * side * head.halfWidth,
        head.chin[1] + head.down[1] * below * head.height + head.down[0] * side * head.halfWidth,
      ];
      const edge = borderMargin(head, image.width, image.height) + 8; // nearer the border, motion fades out to keep the border still
      const usable = ([x, y]: [number, number]) => x > edge && y > edge && x < image.width - edge && y < image.height - edge && inside(person, image.width, x, y) && textured(image, x, y);
      // Hair: textured person pixels above the ears and outside the face oval.
      const grid = [-1.4, -1.25, -1.1, -0.95, -0.8, -0.65].flatMap((below) => [-1.8, -1.4, -1, -0.6, -0.2, 0.2, 0.6, 1, 1.4, 1.8].map((side) => along(below, side)));
      const hair = grid.filter((p) => usable(p) && !insideOval(face.landmarks, p));
      expect(hair.length, name).toBeGreaterThanOrEqual(2);
      for (const [x, y] of hair) expect(motionError(out.frames[1], image, x, y, map, unmap), `${name} hair at ${x.toFixed(0)},${y.toFixed(0)}`).toBeLessThanOrEqual(1.5);
      const still = (x: number, y: number): [number, number] => [x, y];
      for (const [x, y] of [along(1.0, -2.2), along(1.0, 2.2)].filter(usable)) {
        expect(motionError(out.frames[1], image, x, y, still, still), `${name} shoulder at ${x.toFixed(0)},${y.toFixed(0)}`).toBe(0);
      }
      // No seam or crease where face meets hair: the edges across the hairline, carried along, are the photo's.
      const ratio = hairlineEnergy(out.frames[1], image.width, image.height, face.landmarks, map) / hairlineEnergy(image.data, image.width, image.height, face.landmarks);
      expect(ratio, name).toBeGreaterThan(0.6); // resampling softens fine hair a little; a smear would not pass
      expect(ratio, name).toBeLessThan(1.15);
    }
  });

  it("keeps a black-and-white photo black-and-white, the driver's mouth included", async () => {
    const { image, face } = photos.get('harris-grey')!;
    const out = await engine().render({ image, face, source: image }, drive(laugh), {});
    for (const frame of out.frames) expect(maxChroma(frame)).toBeLessThanOrEqual(2);
  });

  it('keeps the identity of the face while it laughs (descriptor cosine ≥ 0.75 on average)', async () => {
    for (const name of ['trump.jpg', 'show4.jpg']) {
      const { image, face } = photos.get(name)!;
      const reference = await faces.describe(image, face);
      const out = await engine().render({ image, face, source: image }, drive(laugh), {});
      const cosines: number[] = [];
      for (let i = 0; i < out.frames.length; i += 4) {
        const frame = { width: image.width, height: image.height, data: out.frames[i] };
        cosines.push(cosineSimilarity(reference, await faces.describe(frame, await faces.analyze(frame))));
      }
      const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
      expect(mean, `${name}: ${cosines.map((c) => c.toFixed(2)).join(' ')}`).toBeGreaterThanOrEqual(0.75);
    }
  });
});
