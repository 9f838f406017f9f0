// The photo's regions on a real portrait: the selfie model tells the person from the background, the head
// share is 1 on face and hair, fades down the neck and is 0 on the shoulders and at the border, and the plate
// differs from the photo only inside the hole, where it holds background colours rather than the person's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PhotoRegions, photoRegions } from '../../../../../src/pipeline/engines/warp/group-regions.ts';
import { borderMargin, borderPin, headShare } from '../../../../../src/pipeline/engines/warp/head-regions.ts';
import { sharedPersonSegmenter } from '../../../../../src/pipeline/engines/warp/person-segmenter.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import type { Face, RgbImage } from '../../../../../src/pipeline/types.ts';
import { loadRgb, referenceImage } from '../../../../helpers/fixtures.ts';

function meanColour(image: Uint8Array, pick: (p: number) => boolean, count: number): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < count; p++) {
    if (!pick(p)) continue;
    for (let c = 0; c < 3; c++) sum[c] += image[p * 3 + c];
    n++;
  }
  return sum.map((v) => v / Math.max(1, n));
}

const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('photo regions', () => {
  let faces: FaceAnalyzer;
  let image: RgbImage;
  let face: Face;
  let person: Uint8Array;
  let regions: PhotoRegions;

  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    image = await loadRgb(referenceImage('trump.jpg'));
    face = await faces.analyze(image);
    person = await sharedPersonSegmenter().segment(image);
    regions = photoRegions(image, face.landmarks, person);
  });
  afterAll(() => faces.dispose());

  it('segments the person from the background', () => {
    const at = (x: number, y: number) => person[Math.round(y) * image.width + Math.round(x)];
    const l = face.landmarks;
    expect(at(l[1 * 3], l[1 * 3 + 1])).toBeGreaterThan(200); // nose tip
    expect(at(image.width / 2, image.height - 5)).toBeGreaterThan(200); // the suit at the bottom
    expect(at(5, 5)).toBeLessThan(30); // the corners are background
    expect(at(image.width - 5, 5)).toBeLessThan(30);
    expect(person.length).toBe(image.width * image.height);
  });

  it('moves the head fully, the neck partly, and never the shoulders or the border', () => {
    const { head } = regions;
    const [cx, cy] = head.chin;
    const [dx, dy] = head.down;
    const across: [number, number] = [-dy, dx];
    const point = (below: number, side: number): [number, number] => [
      cx + dx * below * head.height + across[0] * side * head.halfWidth,
      cy + dy * below * head.height + across[1] * side * head.halfWidth,
    ];
    expect(headShare(head, ...point(-0.9, 0))).toBe(1); // forehead
    expect(headShare(head, ...point(-1.1, 1.6))).toBe(1); // hair beside the temple
    const neck = headShare(head, ...point(0.3, 0));
    expect(neck).toBeGreaterThan(0.1);
    expect(neck).toBeLessThan(0.9);
    expect(headShare(head, ...point(0.7, 0))).toBe(0); // chest
    expect(headShare(head, ...point(0.3, 2.5))).toBe(0); // shoulder
    const margin = borderMargin(head, image.width, image.height);
    expect(borderPin(0, 200, image.width, image.height, margin)).toBe(0);
    expect(borderPin(margin, margin, image.width, image.height, margin)).toBe(1);
  });

  it('paints the hole from the background: the plate equals the photo outside it and holds no skin inside it', () => {
    const { hole, plate, alpha } = regions;
    const n = image.width * image.height;
    for (let p = 0; p < n; p++) if (!hole[p]) expect(plate[p * 3]).toBe(image.data[p * 3]);
    let holeSize = 0;
    for (let p = 0; p < n; p++) holeSize += hole[p];
    expect(holeSize).toBeGreaterThan(n * 0.1); // the head and hair
    const background = meanColour(image.data, (p) => alpha[p] === 0, n);
    const personColour = meanColour(image.data, (p) => hole[p] === 1, n);
    const filled = meanColour(plate, (p) => hole[p] === 1, n);
    expect(distance(filled, background)).toBeLessThan(distance(filled, personColour) / 2);
  });
});
