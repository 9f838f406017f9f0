// A head pushed towards the picture's edge: the vertices that start clear of the still band never enter it,
// and those pressed against it keep their order with room between them (hair squeezes against the band), where
// main clamped them all onto the band's inner edge and cut the hair off along a straight line. Vertices that
// stay well clear move exactly as the head does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headFrame } from '../../../../../src/pipeline/engines/warp/head-regions.ts';
import { buildPhotoWarpMesh, destinationVertices } from '../../../../../src/pipeline/engines/warp/warp-mesh.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import { photoFaceGeometry } from '../../../../../src/pipeline/motion/retarget.ts';
import { stillBorderWidth } from '../../../../../src/pipeline/still-border.ts';
import { loadRgb, referenceImage } from '../../../../helpers/fixtures.ts';

describe('warp mesh at the still border', () => {
  let faces: FaceAnalyzer;
  beforeAll(async () => {
    faces = await createFaceAnalyzer();
  });
  afterAll(() => faces.dispose());

  it('squeezes a head moved up against the band instead of cutting it along the band', async () => {
    const image = await loadRgb(referenceImage('trump.jpg'));
    const face = await faces.analyze(image);
    const { landmarks } = photoFaceGeometry(face.landmarks);
    const mesh = buildPhotoWarpMesh(landmarks, headFrame(landmarks), image.width, image.height, faces.meshTriangles);
    const lift = 60; // the whole head straight up by 60 px: the hair would run past the top edge
    const target = Float32Array.from(landmarks, (v, i) => (i % 3 === 1 ? v - lift : v));
    const xy = new Float32Array(mesh.vertexCount * 2);
    destinationVertices(mesh, landmarks, target, xy, new Float32Array(mesh.vertexCount));
    const band = stillBorderWidth(image.width, image.height);
    // Per grid column: the vertices starting between the band and 60 px below it, top to bottom.
    const columns = new Map<number, { from: number; to: number }[]>();
    for (let v = mesh.faceCount; v < mesh.vertexCount; v++) {
      const [sx, sy] = [mesh.source[v * 2], mesh.source[v * 2 + 1]];
      if (sy <= band + 0.5 || sy > band + 60 || sx < band || sx > image.width - 1 - band) continue;
      columns.set(sx, [...(columns.get(sx) ?? []), { from: sy, to: xy[v * 2 + 1] }]);
    }
    let pressed = 0;
    for (const column of columns.values()) {
      column.sort((a, b) => a.from - b.from);
      for (const [k, { from, to }] of column.entries()) {
        expect(to).toBeGreaterThan(band); // never into the band (and never onto its edge once it moved)
        if (to < from - 1) pressed++;
        if (k > 0) expect(to - column[k - 1].to, `column order at ${from.toFixed(0)}`).toBeGreaterThan(0.5);
      }
    }
    expect(pressed).toBeGreaterThan(3); // the test did push hair against the band
    // Far from the band the face moves exactly with the head: the nose tip rises by the full lift.
    expect(landmarks[4 * 3 + 1] - xy[4 * 2 + 1]).toBeCloseTo(lift, 3);
  });
});
