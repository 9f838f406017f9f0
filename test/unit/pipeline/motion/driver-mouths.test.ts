// The driver's mouth crops on a real template clip (a laugh): frames with an open mouth keep a crop whose
// upper rows (teeth under the upper lip) are brighter than its lower rows (the throat) and darker overall than
// the skin; the crops are small enough to ship, survive both track codings (cache, shipped) and follow resampling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { decodeVideo } from '../../../../src/pipeline/media/video.ts';
import { type DriverMouths, decodeMouthAtlas, extractDriverMouths, innerLipGap, rgbToYcc } from '../../../../src/pipeline/motion/driver-mouths.ts';
import { extractMotion, resampleMotion } from '../../../../src/pipeline/motion/extract-motion.ts';
import { decodeMotionTrack, encodeMotionTrack } from '../../../../src/pipeline/motion/track-codec.ts';
import type { Face } from '../../../../src/pipeline/types.ts';
import { driveVideo } from '../../../helpers/fixtures.ts';

/** Mean luma of crop `k`'s rows [from, to). */
function rowsLuma(pixels: Uint8Array, m: DriverMouths, k: number, from: number, to: number): number {
  let sum = 0;
  const base = k * m.width * m.height * 3;
  for (let j = from; j < to; j++) {
    for (let i = 0; i < m.width; i++) {
      const o = base + (j * m.width + i) * 3;
      sum += rgbToYcc(pixels[o], pixels[o + 1], pixels[o + 2])[0];
    }
  }
  return sum / ((to - from) * m.width);
}

describe('driver mouths', () => {
  let analyzer: FaceAnalyzer;
  let faces: (Face | null)[];
  let mouths: DriverMouths;
  const fps = 12;

  beforeAll(async () => {
    analyzer = await createFaceAnalyzer();
    const frames = await decodeVideo(driveVideo('jgz.mp4'), { fps, maxSide: 512, endSec: 2 });
    faces = await analyzer.trackSequence(frames);
    mouths = await extractDriverMouths(frames, faces);
  });
  afterAll(() => analyzer.dispose());

  it('keeps a crop for each open-mouthed frame and none for closed ones', () => {
    expect(mouths.cropOf.length).toBe(faces.length);
    faces.forEach((face, i) => {
      if (face && innerLipGap(face.landmarks) > 0.1) expect(mouths.cropOf[i], `frame ${i}`).toBeGreaterThanOrEqual(0);
      if (!face || innerLipGap(face.landmarks) < 0.03) expect(mouths.cropOf[i], `frame ${i}`).toBe(-1);
    });
    expect([...mouths.cropOf].filter((c) => c >= 0).length).toBeGreaterThan(faces.length / 2); // it laughs
  });

  it('holds teeth above a dark throat, darker than the skin', async () => {
    const pixels = await decodeMouthAtlas(mouths);
    const count = Math.max(...mouths.cropOf) + 1;
    expect(pixels.length).toBe(count * mouths.width * mouths.height * 3);
    let teethAbove = 0;
    for (let k = 0; k < count; k++) {
      const upper = rowsLuma(pixels, mouths, k, 1, Math.round(mouths.height * 0.35));
      const lower = rowsLuma(pixels, mouths, k, Math.round(mouths.height * 0.6), mouths.height - 1);
      if (upper > lower + 15) teethAbove++;
      expect(rowsLuma(pixels, mouths, k, 0, mouths.height)).toBeLessThan(mouths.skin[0]);
    }
    expect(teethAbove).toBeGreaterThan(count * 0.6);
  });

  it('is small enough to ship with the template, and survives the motion cache and resampling', () => {
    expect(mouths.atlas.length / faces.length).toBeLessThan(400); // bytes per frame: ~16 KB for a 4 s template
    const track = extractMotion(faces, fps);
    track.mouths = mouths;
    for (const compact of [false, true]) {
      const decoded = decodeMotionTrack(encodeMotionTrack(track, { compact }));
      expect([...(decoded.mouths?.cropOf ?? [])]).toEqual([...mouths.cropOf]);
      expect([...(decoded.mouths?.atlas ?? [])]).toEqual([...mouths.atlas]);
      expect([...(decoded.mouths?.skin ?? [])]).toEqual([...mouths.skin]);
    }
    const doubled = resampleMotion(track, fps * 2);
    expect(doubled.mouths?.cropOf.length).toBe(doubled.frameCount);
    expect(doubled.mouths?.cropOf[2]).toBe(mouths.cropOf[1]);
  });
});
