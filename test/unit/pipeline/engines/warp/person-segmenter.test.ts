// The person mask of a wide group photo: the segmentation model takes a square, and three portraits side by
// side squeezed into one left every person too thin to be found (the mask was empty, so only the face ovals
// moved and the hair stayed behind). Tiled along the long side, each person's face and hair are found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPersonSegmenter, squareTiles } from '../../../../../src/pipeline/engines/warp/person-segmenter.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import { decodeImage, resizeToFit } from '../../../../../src/pipeline/media/image.ts';
import type { Box } from '../../../../../src/pipeline/types.ts';
import { threeFacePhoto } from '../../../../helpers/group-photos.ts';

/** Mean mask value (0..255) over a box, clipped to the picture. */
function meanIn(mask: Uint8Array, width: number, height: number, box: Box): number {
  let [sum, count] = [0, 0];
  for (let y = Math.max(0, Math.round(box.y)); y < Math.min(height, Math.round(box.y + box.height)); y++) {
    for (let x = Math.max(0, Math.round(box.x)); x < Math.min(width, Math.round(box.x + box.width)); x++) {
      sum += mask[y * width + x];
      count++;
    }
  }
  return count ? sum / count : 0;
}

describe('person segmenter', () => {
  let faces: FaceAnalyzer;
  beforeAll(async () => {
    faces = await createFaceAnalyzer();
  });
  afterAll(() => faces.dispose());

  it('tiles a wide picture in squares a quarter tile apart that cover it, and a square one in one tile', () => {
    expect(squareTiles(512, 512)).toEqual([{ x: 0, y: 0, side: 512 }]);
    const wide = squareTiles(512, 171);
    expect(wide[0].x).toBe(0);
    expect(wide[wide.length - 1].x + 171).toBe(512);
    for (let k = 1; k < wide.length; k++) expect(wide[k].x - wide[k - 1].x).toBeLessThanOrEqual(171 / 4 + 1);
    const tall = squareTiles(200, 480);
    expect(tall.every((t) => t.x === 0 && t.side === 200)).toBe(true);
    expect(tall[tall.length - 1].y + 200).toBe(480);
  });

  it('finds every person of three portraits side by side: face and the hair above it', async () => {
    const image = await resizeToFit(await decodeImage(await threeFacePhoto()), 512);
    const mask = await sharedPersonSegmenter().segment(image);
    const found = await faces.analyzeAll(image);
    expect(found).toHaveLength(3);
    for (const { box } of found) {
      expect(meanIn(mask, image.width, image.height, box), `face at x ${box.x.toFixed(0)}`).toBeGreaterThan(230);
      // The hair: a band above the face box, over its middle half.
      const hair = { x: box.x + box.width / 4, y: box.y - box.height * 0.25, width: box.width / 2, height: box.height * 0.2 };
      expect(meanIn(mask, image.width, image.height, hair), `hair above x ${box.x.toFixed(0)}`).toBeGreaterThan(180);
    }
  });
});
