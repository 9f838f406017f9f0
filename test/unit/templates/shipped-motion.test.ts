import { readdir, readFile, stat } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../src/pipeline/face/face-analyzer.ts';
import { ANALYSIS_MAX_SIDE, analyseDriverMotion, decodeDriver, driverMotionKey, loadDriverMotion, templateDriverClip } from '../../../src/pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../../../src/pipeline/motion/motion-cache.ts';
import { decodeMotionTrack, encodedTrackKey } from '../../../src/pipeline/motion/track-codec.ts';
import { rotationToEulerDeg } from '../../../src/pipeline/motion/rigid-fit.ts';
import { createRenderer } from '../../../src/pipeline/render.ts';
import { loadTemplateCatalog } from '../../../src/templates/catalog.ts';
import { referenceImage } from '../../helpers/fixtures.ts';

const catalog = await loadTemplateCatalog();
const templates = catalog.list();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('motion shipped with the built-in templates', () => {
  let faces: FaceAnalyzer;
  beforeAll(async () => {
    faces = await createFaceAnalyzer();
  });
  afterAll(() => faces.dispose());

  it('is there for every template, made by this analyser version from its very clip, 2 MB at most in all', async () => {
    let total = 0;
    for (const t of templates) {
      const clip = templateDriverClip(t);
      const bytes = await readFile(clip.shippedTrackPath!);
      expect(encodedTrackKey(bytes), `${t.id}: run npm run templates:motion`).toBe(await driverMotionKey(clip));
      total += (await stat(clip.shippedTrackPath!)).size;
    }
    expect(total).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it.each(templates.map((t) => t.id))('%s: analysing the clip again gives the shipped track', async (id) => {
    const clip = templateDriverClip(catalog.get(id));
    const shipped = decodeMotionTrack(await readFile(clip.shippedTrackPath!));
    const fresh = await analyseDriverMotion(await decodeDriver(clip, ANALYSIS_MAX_SIDE), faces);
    expect(shipped.frameCount).toBe(fresh.frameCount);
    for (let i = 0; i < fresh.frameCount; i++) {
      const a = rotationToEulerDeg(shipped.rotations.subarray(i * 9, i * 9 + 9));
      const b = rotationToEulerDeg(fresh.rotations.subarray(i * 9, i * 9 + 9));
      expect(Math.max(Math.abs(a.yaw - b.yaw), Math.abs(a.pitch - b.pitch), Math.abs(a.roll - b.roll)), `frame ${i}`).toBeLessThan(0.5);
    }
    expect(maxAbsDiff(shipped.scales, fresh.scales)).toBeLessThan(0.005);
    expect(maxAbsDiff(shipped.translations, fresh.translations)).toBeLessThan(0.01);
    expect(maxAbsDiff(shipped.expressions, fresh.expressions)).toBeLessThan(0.005);
    expect(maxAbsDiff(shipped.eyes, fresh.eyes)).toBeLessThan(0.05);
    expect(maxAbsDiff(shipped.gaze, fresh.gaze)).toBeLessThan(0.02);
  });

  it('is what a first request of a template uses: nothing is analysed and nothing is written to the cache', async () => {
    let analysed = 0;
    const counting: FaceAnalyzer = {
      ...faces,
      trackSequence: (...args) => {
        analysed++;
        return faces.trackSequence(...args);
      },
      dispose: async () => {},
    };
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'motion-'));
    const track = await loadDriverMotion(templateDriverClip(catalog.get('nice')), { faces: counting, cache: createMotionCache(cacheDir) });
    expect(track.frameCount).toBeGreaterThan(40);
    // At another rate the shipped track is resampled, not the clip analysed again.
    const at10 = await loadDriverMotion(templateDriverClip(catalog.get('nice'), { fps: 10 }), { faces: counting, cache: createMotionCache(cacheDir) });
    expect(at10.fps).toBe(10);
    expect(at10.frameCount).toBe(Math.round((track.frameCount / track.fps) * 10));
    expect(at10.mouths).toBeDefined();
    const renderer = await createRenderer({ templates: catalog, faces: counting, cacheDir, hellomeme: null });
    try {
      const result = await renderer.render({ photo: await readFile(referenceImage('harris.jpg')), templateId: 'smug', format: 'gif' });
      expect(result.frameCount).toBeGreaterThan(40);
      const slower = await renderer.render({ photo: await readFile(referenceImage('harris.jpg')), templateId: 'smug', format: 'gif', fps: 8 });
      expect(slower.frameCount).toBe(Math.round((result.frameCount / 12) * 8));
    } finally {
      await renderer.dispose();
    }
    expect(analysed).toBe(0);
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
