// The photo cache: one decode + face analysis per photo, shared by concurrent and later renders of it.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../src/pipeline/face/face-analyzer.ts';
import type { Renderer } from '../../../src/pipeline/meme-spec.ts';
import { type AnalysedPhoto, PhotoCache } from '../../../src/pipeline/photo-cache.ts';
import { createRenderer } from '../../../src/pipeline/render.ts';
import { referenceImage } from '../../helpers/fixtures.ts';

const analysed = (tag: number): AnalysedPhoto => {
  const image = { width: tag, height: 1, data: new Uint8Array(3 * tag) };
  return { image, source: image, faces: [] };
};

describe('PhotoCache', () => {
  it('analyses a photo once for concurrent and later requests, keeps the last few, and forgets failures', async () => {
    const cache = new PhotoCache(2);
    let calls = 0;
    const analyse = (tag: number) => async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return analysed(tag);
    };
    const [a, b] = await Promise.all([cache.get('a', analyse(1)), cache.get('a', analyse(1))]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await cache.get('b', analyse(2));
    await cache.get('a', analyse(1)); // a is now the most recent
    await cache.get('c', analyse(3)); // evicts b
    expect(calls).toBe(3);
    await cache.get('a', analyse(1));
    expect(calls).toBe(3);
    await cache.get('b', analyse(2));
    expect(calls).toBe(4);
    await expect(cache.get('bad', async () => Promise.reject(new Error('no face')))).rejects.toThrow('no face');
    await cache.get('bad', analyse(4));
    expect(calls).toBe(5);
  });

  it('keys on the bytes and the working size', () => {
    const photo = Buffer.from('same bytes');
    expect(PhotoCache.keyOf(photo, 512)).toBe(PhotoCache.keyOf(Buffer.from('same bytes'), 512));
    expect(PhotoCache.keyOf(photo, 512)).not.toBe(PhotoCache.keyOf(photo, 256));
    expect(PhotoCache.keyOf(photo, 512)).not.toBe(PhotoCache.keyOf(Buffer.from('other bytes'), 512));
  });
});

describe('renderer with the photo cache', () => {
  let faces: FaceAnalyzer;
  let renderer: Renderer;
  let analyses = 0;
  beforeAll(async () => {
    const real = await createFaceAnalyzer();
    // The real analyzer, counting the photo analyses (clip motion goes through trackSequence).
    faces = Object.assign(Object.create(real) as FaceAnalyzer, {
      analyzeAll: (image: Parameters<FaceAnalyzer['analyzeAll']>[0]) => {
        analyses++;
        return real.analyzeAll(image);
      },
    });
    renderer = await createRenderer({ faces, hellomeme: null, cacheDir: path.join(tmpdir(), 'memeloom-test-cache') });
  });
  afterAll(async () => {
    await renderer.dispose();
  });

  it('analyses a photo once across templates and formats, and again for another photo or size', async () => {
    const photo = readFileSync(referenceImage('trump.jpg'));
    const first = await renderer.render({ photo, templateId: 'pout', format: 'mp4' });
    const second = await renderer.render({ photo, templateId: 'stern-stare', format: 'gif' });
    expect(analyses).toBe(1);
    expect(second.stageMs.face).toBeUndefined();
    expect(first.stageMs.face).toBeGreaterThan(0);
    // Nothing downstream changed the shared image or face: the same request renders the same bytes.
    const again = await renderer.render({ photo, templateId: 'pout', format: 'mp4' });
    expect(again.bytes.equals(first.bytes)).toBe(true);
    await renderer.render({ photo, templateId: 'pout', format: 'mp4', maxSide: 256 });
    await renderer.render({ photo: readFileSync(referenceImage('harris.jpg')), templateId: 'pout', format: 'mp4' });
    expect(analyses).toBe(3);
  });
});
