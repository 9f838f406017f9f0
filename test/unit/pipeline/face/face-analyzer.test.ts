import { createRequire } from 'node:module';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, MemeError } from '../../../../src/errors.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { cosineSimilarity } from '../../../../src/pipeline/face/face-match.ts';
import type { Face, RgbImage } from '../../../../src/pipeline/types.ts';
import { loadReference, referenceDir, referenceImageNames, toRgbImage } from './face-fixtures.ts';

let analyzer: FaceAnalyzer;

beforeAll(async () => {
  analyzer = await createFaceAnalyzer();
});

afterAll(async () => {
  await analyzer?.dispose();
});

function landmarksInsideBox(face: Face, tolerancePx: number): number {
  const { x, y, width, height } = face.box;
  let inside = 0;
  for (let i = 0; i < face.landmarks.length; i += 3) {
    const px = face.landmarks[i];
    const py = face.landmarks[i + 1];
    if (px >= x - tolerancePx && px <= x + width + tolerancePx && py >= y - tolerancePx && py <= y + height + tolerancePx) inside++;
  }
  return inside / (face.landmarks.length / 3);
}

async function expectNoFace(image: RgbImage): Promise<void> {
  expect(await analyzer.detect(image)).toEqual([]);
  await expect(analyzer.analyze(image)).rejects.toSatisfy((e) => e instanceof InputError && e.code === 'NO_FACE');
}

/** Smooth blue sky over a noisy green field: texture and gradients, no face. */
function landscape(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let state = 12345;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (y < height * 0.55) data.set([90 + (y * 80) / height, 140 + (y * 60) / height, 230], o);
      else data.set([40 + 60 * random(), 100 + 100 * random(), 30 + 40 * random()], o);
    }
  }
  return { width, height, data };
}

describe('FaceAnalyzer on the reference photos', () => {
  it('finds a 478-point face inside its box in at least 18 of the 20 photos; the rest fail with NO_FACE', async () => {
    const names = referenceImageNames();
    expect(names.length).toBe(20);
    const missed: string[] = [];
    for (const name of names) {
      const image = await loadReference(name);
      try {
        const face = await analyzer.analyze(image);
        expect(face.landmarks.length).toBe(478 * 3);
        expect(face.box.width).toBeGreaterThan(image.width * 0.1);
        expect(landmarksInsideBox(face, 1)).toBe(1);
        expect(face.score).toBeGreaterThan(0);
        for (const angle of [face.pose.yaw, face.pose.pitch, face.pose.roll]) expect(Math.abs(angle)).toBeLessThan(90);
      } catch (error) {
        if (!(error instanceof InputError && error.code === 'NO_FACE')) throw error;
        missed.push(name);
      }
    }
    expect(missed.length, `missed: ${missed.join(', ')}`).toBeLessThanOrEqual(2);
  });

  it('maps landmarks of a downscaled large image back to its own pixels', async () => {
    const small = await loadReference('harris.jpg');
    const large = await loadReference('harris.jpg', (i) => i.resize(2048, 2048));
    const [a, b] = [await analyzer.analyze(small), await analyzer.analyze(large)];
    const scale = large.width / small.width;
    expect(b.box.x).toBeCloseTo(a.box.x * scale, -1.5);
    expect(b.box.width / a.box.width).toBeCloseTo(scale, 0);
    expect(b.landmarks[1 * 3] / scale).toBeCloseTo(a.landmarks[1 * 3], -1);
  });
});

describe('FaceAnalyzer on close-ups', () => {
  it('finds a face that fills the frame, with landmarks that agree with the full photo', async () => {
    for (const name of ['harris.jpg', 'trump.jpg', 'toon.png']) {
      const full = await analyzer.analyze(await loadReference(name));
      // cut 10% off every side of the face box: the face oval now runs past the image edges
      const inset = { x: full.box.width * 0.1, y: full.box.height * 0.1 };
      const region = {
        left: Math.round(full.box.x + inset.x),
        top: Math.round(full.box.y + inset.y),
        width: Math.round(full.box.width - 2 * inset.x),
        height: Math.round(full.box.height - 2 * inset.y),
      };
      const closeUp = await analyzer.analyze(await loadReference(name, (i) => i.extract(region)));
      let errorSum = 0;
      for (let i = 0; i < 468; i++) {
        const dx = closeUp.landmarks[i * 3] + region.left - full.landmarks[i * 3];
        const dy = closeUp.landmarks[i * 3 + 1] + region.top - full.landmarks[i * 3 + 1];
        errorSum += Math.hypot(dx, dy);
      }
      expect(errorSum / 468 / full.box.width, name).toBeLessThan(0.06);
    }
  });
});

describe('FaceAnalyzer without faces', () => {
  it('returns no face for a solid image', async () => {
    await expectNoFace({ width: 512, height: 384, data: new Uint8Array(512 * 384 * 3).fill(180) });
  });

  it('returns no face for a landscape-like noise image', async () => {
    await expectNoFace(landscape(640, 480));
  });

  it('rejects a buffer that does not match its size with NOT_AN_IMAGE', async () => {
    await expect(analyzer.detect({ width: 10, height: 10, data: new Uint8Array(10) })).rejects.toSatisfy(
      (e) => e instanceof InputError && e.code === 'NOT_AN_IMAGE',
    );
  });
});

describe('FaceAnalyzer with several faces', () => {
  it('returns both faces, largest first, and analyze() picks the largest', async () => {
    const large = await sharp(`${referenceDir}/trump.jpg`).resize(400).toBuffer();
    const small = await sharp(`${referenceDir}/harris.jpg`).resize(200).toBuffer();
    const canvas = sharp({ create: { width: 720, height: 400, channels: 3, background: '#808080' } });
    const image = await toRgbImage(sharp(await canvas.composite([{ input: small, left: 0, top: 100 }, { input: large, left: 320, top: 0 }]).png().toBuffer()));
    const faces = await analyzer.detect(image);
    expect(faces.length).toBe(2);
    expect(faces[0].box.width * faces[0].box.height).toBeGreaterThan(2 * faces[1].box.width * faces[1].box.height);
    expect(faces[0].box.x).toBeGreaterThan(320); // the large face is the right-hand one
    expect(faces[1].box.x + faces[1].box.width).toBeLessThan(200);
    const largest = await analyzer.analyze(image);
    expect(largest.box).toEqual(faces[0].box);
  });
});

describe('FaceAnalyzer head pose', () => {
  it('flips the sign of yaw (and roll) for a mirrored photo', async () => {
    for (const name of ['harris.jpg', 'majicmix3.jpg']) {
      const face = await analyzer.analyze(await loadReference(name));
      const mirrored = await analyzer.analyze(await loadReference(name, (i) => i.flop()));
      // both are turned clearly to one side (> 10°), so the sign is well defined
      expect(Math.abs(face.pose.yaw)).toBeGreaterThan(10);
      expect(Math.sign(mirrored.pose.yaw)).toBe(-Math.sign(face.pose.yaw));
      expect(mirrored.pose.yaw).toBeCloseTo(-face.pose.yaw, -1);
      expect(Math.abs(mirrored.pose.roll + face.pose.roll)).toBeLessThan(Math.max(3, Math.abs(face.pose.roll)));
      expect(mirrored.pose.pitch).toBeCloseTo(face.pose.pitch, -1);
    }
  });

  it('adds an in-plane clockwise rotation of the photo to roll, leaving yaw and pitch', async () => {
    const upright = await analyzer.analyze(await loadReference('toon.png'));
    const rotated = await analyzer.analyze(await loadReference('toon.png', (i) => i.rotate(20, { background: '#808080' })));
    expect(rotated.pose.roll - upright.pose.roll).toBeGreaterThan(15);
    expect(rotated.pose.roll - upright.pose.roll).toBeLessThan(25);
    expect(Math.abs(rotated.pose.yaw - upright.pose.yaw)).toBeLessThan(5);
    expect(Math.abs(rotated.pose.pitch - upright.pose.pitch)).toBeLessThan(5);
  });

  it('reports yaw > 0 for a face turned towards the image right', async () => {
    // harris.jpg: the nose sits left of the cheeks' midpoint, so the face turns to the image's left
    const face = await analyzer.analyze(await loadReference('harris.jpg'));
    const noseX = face.landmarks[1 * 3];
    const cheeksMidX = (face.landmarks[234 * 3] + face.landmarks[454 * 3]) / 2;
    expect(noseX).toBeLessThan(cheeksMidX);
    expect(face.pose.yaw).toBeLessThan(0);
    const mirrored = await analyzer.analyze(await loadReference('harris.jpg', (i) => i.flop()));
    expect(mirrored.pose.yaw).toBeGreaterThan(0);
  });
});

describe('FaceAnalyzer calls', () => {
  it('serialises concurrent calls: results equal those of sequential calls', async () => {
    const images = await Promise.all(['harris.jpg', 'toon.png', 'wukong1.jpg'].map((name) => loadReference(name)));
    const sequential: Face[] = [];
    for (const image of images) sequential.push(await analyzer.analyze(image));
    const concurrent = await Promise.all(images.map((image) => analyzer.analyze(image)));
    concurrent.forEach((face, i) => {
      expect(face.box).toEqual(sequential[i].box);
      expect(Array.from(face.landmarks)).toEqual(Array.from(sequential[i].landmarks));
    });
  });

  it('leaves no tensors behind', async () => {
    const tf = createRequire(import.meta.url)('@tensorflow/tfjs-core') as { memory(): { numTensors: number } };
    const image = await loadReference('harris.jpg');
    const face = await analyzer.analyze(image);
    const everyCall = async () => {
      await analyzer.analyze(image);
      await analyzer.describe(image, face);
      await analyzer.detect(landscape(256, 256));
      await analyzer.trackSequence({ width: image.width, height: image.height, fps: 10, frames: [image.data, image.data] });
    };
    await everyCall(); // human keeps a copy of the last frame for its video mode: let it exist first
    const before = tf.memory().numTensors;
    await everyCall();
    await everyCall();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects calls after dispose without affecting other analyzers', async () => {
    const second = await createFaceAnalyzer({ maxFaces: 1 });
    await second.dispose();
    await expect(second.detect(await loadReference('harris.jpg'))).rejects.toSatisfy((e) => e instanceof MemeError && e.code === 'ENGINE_UNAVAILABLE');
    expect((await analyzer.detect(await loadReference('harris.jpg'))).length).toBe(1);
  });

  it('exposes the face-mesh triangulation over the 468 surface landmarks', () => {
    const triangles = analyzer.meshTriangles;
    expect(triangles.length % 3).toBe(0);
    expect(triangles.length / 3).toBeGreaterThan(800);
    expect(Math.max(...triangles)).toBe(467);
  });

  it('rejects a bad maxFaces with BAD_OPTION', async () => {
    await expect(createFaceAnalyzer({ maxFaces: 0 })).rejects.toSatisfy((e) => e instanceof InputError && e.code === 'BAD_OPTION');
  });
});

describe('FaceAnalyzer.describe', () => {
  it('gives the same person a higher cosine similarity than a different person', async () => {
    const photo = await loadReference('harris.jpg');
    const resized = await loadReference('harris.jpg', (i) => i.resize(300, 300));
    const other = await loadReference('trump.jpg');
    const [a, b, c] = await Promise.all([photo, resized, other].map(async (image) => analyzer.describe(image, await analyzer.analyze(image))));
    expect(a.length).toBe(1024);
    let norm = 0;
    for (const v of a) norm += v * v;
    expect(norm).toBeCloseTo(1, 4);
    const same = cosineSimilarity(a, b);
    const different = cosineSimilarity(a, c);
    expect(same).toBeGreaterThan(different);
    expect(same).toBeGreaterThan(0.9);
  });

  it('throws NO_FACE when the given face is not in the image', async () => {
    const face = await analyzer.analyze(await loadReference('harris.jpg'));
    await expect(analyzer.describe(landscape(512, 512), face)).rejects.toSatisfy((e) => e instanceof InputError && e.code === 'NO_FACE');
  });
});
