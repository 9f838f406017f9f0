// Every face of a group photo: on a three-face photo composed from the fixtures, each face moves (its
// landmarks, found again on the rendered frames, leave the still photo's) or, chosen alone, only that face
// moves and the others keep their pixels; the faces start at different moments of the clip; the border stays
// still. Through the renderer: eight faces animate the six largest with a note, a tiny face stays still with a
// note, a face number that is not there is refused, and a one-face photo renders as it did with `largest`.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../../../src/errors.ts';
import type { EngineDriver } from '../../../../../src/pipeline/engines/engine.ts';
import { createWarpEngine } from '../../../../../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import { type FaceChoice, MIN_ANIMATED_FACE_PX, numberedFaces, selectFaces } from '../../../../../src/pipeline/face/face-choice.ts';
import { bestMatch } from '../../../../../src/pipeline/face/face-match.ts';
import { decodeImage, resizeToFit } from '../../../../../src/pipeline/media/image.ts';
import type { Renderer } from '../../../../../src/pipeline/meme-spec.ts';
import { loadDriverMotion, templateDriverClip } from '../../../../../src/pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../../../../../src/pipeline/motion/motion-cache.ts';
import type { MotionTrack } from '../../../../../src/pipeline/motion/motion-track.ts';
import { createRenderer } from '../../../../../src/pipeline/render.ts';
import type { Face, RgbImage } from '../../../../../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../../../../../src/templates/catalog.ts';
import { referenceImage } from '../../../../helpers/fixtures.ts';
import { eightFacePhoto, threeFacePhoto, tinyFacePhoto } from '../../../../helpers/group-photos.ts';
import { borderDifference } from '../../../../helpers/warp-metrics.ts';

const FPS = 12;

let faces: FaceAnalyzer;
let motion: MotionTrack;
let image: RgbImage;
let detected: Face[];
const engine = createWarpEngine();
/** The template's motion track as the warp engine asks for it (engine.ts EngineDriver), played at FPS. */
const driver = (): EngineDriver => ({ fps: FPS, frameCount: motion.frameCount, motion });

async function render(choice: FaceChoice, offsetSec?: number): Promise<Uint8Array[]> {
  const chosen = selectFaces(detected, choice, { multiFace: true, offsetSec });
  const face = chosen.animated[chosen.animated.length - 1];
  return (await engine.render({ image, source: image, face, group: chosen }, driver(), {})).frames;
}

/** Per photo face (reading order), per sampled frame: RMS landmark offset from the still photo, in face heights (NaN: not found again). */
async function landmarkMotion(frames: Uint8Array[], step = 4): Promise<number[][]> {
  const numbered = numberedFaces(detected);
  const series = numbered.map(() => [] as number[]);
  for (let i = 0; i < frames.length; i += step) {
    const found = await faces.detect({ ...image, data: frames[i] });
    numbered.forEach((face, k) => {
      const match = bestMatch(face.box, found.map((f) => ({ face: f })));
      if (!match) {
        series[k].push(Number.NaN);
        return;
      }
      let sum = 0;
      for (let j = 0; j < 478; j++) sum += (match.face.landmarks[j * 3] - face.landmarks[j * 3]) ** 2 + (match.face.landmarks[j * 3 + 1] - face.landmarks[j * 3 + 1]) ** 2;
      series[k].push(Math.sqrt(sum / 478) / face.box.height);
    });
  }
  return series;
}

/** Mean |frame − photo| per channel inside a face's box. */
function boxDifference(frame: Uint8Array, face: Face, photo: RgbImage = image): number {
  const { x, y, width, height } = face.box;
  let sum = 0;
  let count = 0;
  for (let py = Math.floor(y); py < Math.ceil(y + height); py++) {
    for (let px = Math.floor(x); px < Math.ceil(x + width); px++) {
      const o = (py * photo.width + px) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(frame[o + c] - photo.data[o + c]);
      count += 3;
    }
  }
  return sum / count;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

beforeAll(async () => {
  faces = await createFaceAnalyzer();
  const templates = await loadTemplateCatalog();
  motion = await loadDriverMotion(templateDriverClip(templates.get('nice')), { faces, cache: createMotionCache(path.join(tmpdir(), 'memeloom-group-motion')) });
  image = await resizeToFit(await decodeImage(await threeFacePhoto()), 512);
  detected = await faces.analyzeAll(image);
});
afterAll(() => faces.dispose());

describe('three faces, all animated', () => {
  let frames: Uint8Array[];
  beforeAll(async () => {
    frames = await render('all');
  });

  it('finds the three faces, numbered left to right', () => {
    const numbered = numberedFaces(detected);
    expect(numbered).toHaveLength(3);
    const centres = numbered.map((f) => f.box.x + f.box.width / 2);
    expect(centres[0]).toBeLessThan(centres[1]);
    expect(centres[1]).toBeLessThan(centres[2]);
  });

  it('moves every face: each one, found again on the frames, leaves its place in the photo', async () => {
    const series = await landmarkMotion(frames);
    for (const perFace of series) {
      expect(perFace.filter(Number.isNaN).length).toBeLessThanOrEqual(2); // each face is found again on (nearly) every frame
      const moved = perFace.filter((v) => !Number.isNaN(v));
      expect(Math.max(...moved)).toBeGreaterThan(0.06);
      expect(mean(moved)).toBeGreaterThan(0.025);
    }
  });

  it('keeps the picture border still', () => {
    for (const frame of frames) expect(borderDifference(frame, image, 4)).toBeLessThan(0.5);
  });

  it('starts the faces at different moments of the clip (a quarter second apart), or together with offset 0', async () => {
    const numbered = numberedFaces(detected);
    const change = (all: Uint8Array[]) => numbered.map((face) => all.map((frame) => boxDifference(frame, face)));
    const lagOf = (a: number[], b: number[]) => {
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let lag = 0; lag < 8; lag++) {
        const score = -mean(a.map((v, i) => Math.abs(v / mean(a) - b[(i + lag) % b.length] / mean(b))));
        if (score > bestScore) [best, bestScore] = [lag, score];
      }
      return best;
    };
    const staggered = change(frames);
    // Face 2 plays what face 1 played 3 frames (0.25 s at 12 fps) earlier.
    expect(lagOf(staggered[1], staggered[0])).toBe(3);
    const together = change(await render('all', 0));
    expect(lagOf(together[1], together[0])).toBe(0);
  });
});

describe('one face chosen', () => {
  it('moves only face 2; faces 1 and 3 keep their pixels', async () => {
    const frames = await render(2);
    const [first, second, third] = numberedFaces(detected);
    const series = await landmarkMotion(frames, 8);
    expect(Math.max(...series[1].filter((v) => !Number.isNaN(v)))).toBeGreaterThan(0.06);
    for (const frame of frames) {
      expect(boxDifference(frame, first)).toBeLessThan(0.5);
      expect(boxDifference(frame, third)).toBeLessThan(0.5);
    }
    expect(Math.max(...frames.map((frame) => boxDifference(frame, second)))).toBeGreaterThan(5);
  });

  it('refuses a face number the photo does not have, saying how many it has', () => {
    expect(() => selectFaces(detected, 4, { multiFace: true })).toThrow(/this photo has 3 faces, so there is no face 4/);
    try {
      selectFaces(detected, 4, { multiFace: true });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('BAD_OPTION');
    }
  });

  it('gives a one-face engine the largest face with a note, or the chosen one', () => {
    const largest = [...detected].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
    const all = selectFaces(detected, 'all', { multiFace: false, engineName: 'hellomeme' });
    expect(all.animated).toEqual([largest]);
    expect(all.notes.join(' ')).toMatch(/hellomeme engine animates one face: the largest \(face \d of 3\)/);
    expect(selectFaces(detected, 3, { multiFace: false }).animated).toEqual([numberedFaces(detected)[2]]);
  });
});

describe('through the renderer', () => {
  let renderer: Renderer;
  beforeAll(async () => {
    renderer = await createRenderer({ faces, hellomeme: null, cacheDir: path.join(tmpdir(), 'memeloom-group-cache') });
  });
  afterAll(() => renderer.dispose());

  it('animates the six largest of eight faces and says so', async () => {
    const photo = await eightFacePhoto();
    const group = await resizeToFit(await decodeImage(photo), 512);
    const found = await faces.analyzeAll(group);
    expect(found.length).toBe(8);
    const chosen = selectFaces(found, 'all', { multiFace: true });
    expect(chosen.animated).toHaveLength(6);
    const smallest = [...found].sort((a, b) => a.box.width * a.box.height - b.box.width * b.box.height).slice(0, 2);
    expect(chosen.still).toEqual(expect.arrayContaining(smallest));
    const result = await renderer.render({ photo, templateId: 'nice', format: 'mp4' });
    expect(result.notes).toContain('8 faces found: the 6 largest are animated, the others stay still');
    // The engine's frames: the two smallest faces keep their pixels, the six others move.
    const frames = (await engine.render({ image: group, source: group, face: chosen.animated[5], group: chosen }, driver(), {})).frames;
    const diff = (face: Face) => Math.max(...frames.map((frame) => boxDifference(frame, face, group)));
    for (const face of smallest) expect(diff(face)).toBeLessThan(0.5);
    for (const face of chosen.animated) expect(diff(face)).toBeGreaterThan(5);
  });

  it('leaves a face under the minimum size still and says so', async () => {
    const photo = await tinyFacePhoto();
    const group = await resizeToFit(await decodeImage(photo), 512);
    const found = await faces.analyzeAll(group);
    const tiny = found.filter((f) => f.box.width < MIN_ANIMATED_FACE_PX || f.box.height < MIN_ANIMATED_FACE_PX);
    expect(found.length).toBe(3);
    expect(tiny).toHaveLength(1);
    const chosen = selectFaces(found, 'all', { multiFace: true });
    expect(chosen.animated).toHaveLength(2);
    expect(chosen.still).toEqual(tiny);
    const facts = await renderer.inspector!.photo(photo);
    expect(facts.faces).toHaveLength(2); // the pickers offer only the faces that can move
    const result = await renderer.render({ photo, templateId: 'nice', format: 'mp4' });
    expect(result.notes).toContain(`one face is smaller than ${MIN_ANIMATED_FACE_PX} pixels and stays still`);
    const frames = (await engine.render({ image: group, source: group, face: chosen.animated[1], group: chosen }, driver(), {})).frames;
    expect(Math.max(...frames.map((frame) => boxDifference(frame, tiny[0], group)))).toBeLessThan(0.5);
  });

  it('renders a one-face photo the same with all, largest and 1', async () => {
    const photo = readFileSync(referenceImage('trump.jpg'));
    const all = await renderer.render({ photo, templateId: 'nice', format: 'gif' });
    const largest = await renderer.render({ photo, templateId: 'nice', format: 'gif', face: 'largest' });
    const first = await renderer.render({ photo, templateId: 'nice', format: 'gif', face: 1 });
    expect(largest.bytes.equals(all.bytes)).toBe(true);
    expect(first.bytes.equals(all.bytes)).toBe(true);
    expect(all.notes).toEqual([]);
  });
});
