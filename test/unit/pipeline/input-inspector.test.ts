// The checks run when a photo or clip arrives (real face model, sharp and ffmpeg), and a render of a clip over
// the length limit: trimmed to it, or to the --trim span, never refused.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS } from '../../../src/config.ts';
import type { MemeError } from '../../../src/errors.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../src/pipeline/face/face-analyzer.ts';
import { createInputInspector, type InputInspector } from '../../../src/pipeline/input-inspector.ts';
import type { Renderer } from '../../../src/pipeline/meme-spec.ts';
import { PhotoCache } from '../../../src/pipeline/photo-cache.ts';
import { createRenderer } from '../../../src/pipeline/render.ts';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';
import { makeClip, tempDir } from './media/media-fixtures.ts';

const dir = tempDir();
const limits = { ...DEFAULT_INPUT_LIMITS, maxDriverSeconds: 3 };
let faces: FaceAnalyzer;
let inspector: InputInspector;
let analyses = 0;

async function failure(promise: Promise<unknown>): Promise<MemeError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as MemeError,
  );
}

/** A real meme clip played three times over (about 14 s): a face moving all the way. */
async function longFaceClip(): Promise<string> {
  const out = path.join(dir, 'long-face.mp4');
  await makeClip(out, ['-c:v', 'libx264', '-preset', 'ultrafast', '-t', '14'], `movie=${driveVideo('nice.mp4')}:loop=4,scale=256:-2,setpts=N/(25*TB)`, 14);
  return out;
}

beforeAll(async () => {
  const real = await createFaceAnalyzer();
  faces = Object.assign(Object.create(real) as FaceAnalyzer, {
    analyzeAll: (image: Parameters<FaceAnalyzer['analyzeAll']>[0]) => {
      analyses++;
      return real.analyzeAll(image);
    },
  });
  inspector = createInputInspector({ faces, photos: new PhotoCache(4), limits });
});

describe('photo checks', () => {
  it('passes a photo with a face, fitted to the working size, and analyses it once', async () => {
    const photo = readFileSync(referenceImage('trump.jpg'));
    const facts = await inspector.photo(photo);
    expect(Math.max(facts.width, facts.height)).toBe(512);
    await inspector.photo(photo);
    expect(analyses).toBe(1);
  });

  it('refuses a corrupt JPEG, an image over the pixel limit and a photo without a face, each with its own code', async () => {
    const jpeg = readFileSync(referenceImage('trump.jpg'));
    expect((await failure(inspector.photo(jpeg.subarray(0, Math.floor(jpeg.length * 0.4))))).code).toBe('IMAGE_UNREADABLE');

    const huge = await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#8a8' } }).png().toBuffer();
    const tooMany = await failure(inspector.photo(huge));
    expect(tooMany.code).toBe('IMAGE_TOO_LARGE');
    expect(tooMany.details).toMatchObject({ width: 12000, height: 12000, maxPixels: limits.maxPhotoPixels });

    const flat = Buffer.alloc(256 * 256 * 3).map((_, i) => 60 + ((i / 3) % 256) / 2);
    const noFace = await sharp(flat, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toBuffer();
    expect((await failure(inspector.photo(noFace))).code).toBe('NO_FACE');
  });
});

describe('clip checks', () => {
  it('measures a clip under the limit as used whole', async () => {
    const facts = await inspector.clip(driveVideo('tbh.mp4'));
    expect(facts.trimmed).toBe(false);
    expect(facts.usedSec).toBeCloseTo(facts.durationSec, 5);
    expect(facts.durationSec).toBeLessThanOrEqual(3.05);
  });

  it('reports a longer clip as trimmed to the limit, GIFs (no duration in the container) included', async () => {
    const mp4 = await longFaceClip();
    expect(await inspector.clip(mp4)).toMatchObject({ trimmed: true, usedSec: 3 });
    const gif = await makeClip(path.join(dir, 'long.gif'), [], 'testsrc=size=64x48:rate=10', 5);
    const facts = await inspector.clip(gif);
    expect(facts).toMatchObject({ trimmed: true, usedSec: 3 });
    expect(facts.durationSec).toBeGreaterThan(3.5);
  });

  it('refuses text posing as a clip and a photo sent as one', async () => {
    const notes = path.join(dir, 'notes.mp4');
    await import('node:fs/promises').then((fs) => fs.writeFile(notes, 'milk, eggs, bread\n'.repeat(40)));
    expect((await failure(inspector.clip(notes))).code).toBe('NOT_A_VIDEO');
    expect((await failure(inspector.clip(referenceImage('trump.jpg')))).code).toBe('NOT_A_VIDEO');
  });
});

describe('rendering a clip over the limit', () => {
  let renderer: Renderer;
  beforeAll(async () => {
    renderer = await createRenderer({ faces, hellomeme: null, limits, cacheDir: path.join(tmpdir(), 'memeloom-test-cache') });
  });
  afterAll(async () => {
    await renderer.dispose();
  });

  it("starts a render from the check's analysis: the photo is not decoded or analysed twice", async () => {
    const photo = readFileSync(referenceImage('harris.jpg'));
    const before = analyses;
    await renderer.inspector!.photo(photo);
    const result = await renderer.render({ photo, templateId: 'pout', format: 'mp4' });
    expect(analyses - before).toBe(1);
    expect(result.stageMs.decode).toBeUndefined();
    expect(result.stageMs.face).toBeUndefined();
  });

  it('animates its first seconds up to the limit, or the asked span', async () => {
    const photo = readFileSync(referenceImage('trump.jpg'));
    const clip = await longFaceClip();
    const whole = await renderer.render({ photo, driverPath: clip, format: 'mp4', fps: 10 });
    expect(whole.durationSec).toBeCloseTo(3, 1);
    const span = await renderer.render({ photo, driverPath: clip, driverTrim: { startSec: 5, endSec: 7 }, format: 'mp4', fps: 10 });
    expect(span.durationSec).toBeCloseTo(2, 1);
    // A span longer than the limit is cut to the limit from its start.
    const capped = await renderer.render({ photo, driverPath: clip, driverTrim: { startSec: 2, endSec: 12 }, format: 'mp4', fps: 10 });
    expect(capped.durationSec).toBeCloseTo(3, 1);
  });
});
