import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { faceAxes } from '../../../../src/pipeline/face/head-pose.ts';
import { softenDepthRelief } from '../../../../src/pipeline/motion/depth-relief.ts';
import { cleanExpressions } from '../../../../src/pipeline/motion/expression-cleanup.ts';
import { faceSize } from '../../../../src/pipeline/motion/face-signals.ts';
import { MESH_POINTS } from '../../../../src/pipeline/motion/face-regions.ts';
import { allocateTrack } from '../../../../src/pipeline/motion/motion-track.ts';
import type { Face } from '../../../../src/pipeline/types.ts';
import { loadRgb, referenceImage } from '../../../helpers/fixtures.ts';

const OUTER_BROW_IMAGE_LEFT = 70;
const LOWER_LIP = 14;

describe('driver expression cleanup', () => {
  let faces: FaceAnalyzer;
  let face: Face;
  beforeAll(async () => {
    faces = await createFaceAnalyzer();
    face = await faces.analyze(await loadRgb(referenceImage('trump.jpg')));
  });
  afterAll(() => faces.dispose());

  it('gives the side a turn foreshortened the mirror image of the near side, and caps brow and lid displacements', () => {
    const n = MESH_POINTS;
    const track = allocateTrack(3, n, 12);
    track.referenceAxes.set(faceAxes(face.landmarks));
    // The head turns 25° towards the image's right: the image-right side (+x) recedes.
    track.poses.set([0, 0, 0, 12, 0, 0, 25, 0, 0]);
    const brow = OUTER_BROW_IMAGE_LEFT;
    const partner = faces.meshMirror[brow];
    expect(partner).not.toBe(brow);
    for (let i = 0; i < 3; i++) {
      track.expressions.set([0.02, -0.03, 0], (i * n + brow) * 3); // the near brow rises a little
      track.expressions.set([0.3, 0.25, 0.1], (i * n + partner) * 3); // the far one "moves" 0.4 face sizes
      track.expressions.set([0, 0.45, 0], (i * n + LOWER_LIP) * 3); // a wide-open mouth
    }
    cleanExpressions(track, face.landmarks, faceSize(face.landmarks), faces.meshMirror);
    const at = (i: number, j: number) => Array.from(track.expressions.subarray((i * n + j) * 3, (i * n + j) * 3 + 3));
    // Frame 2 (25°): the far brow does what the near one does, mirrored (x flips sign, y stays).
    const far = at(2, partner);
    expect(far[1]).toBeCloseTo(-0.03, 1);
    expect(Math.sign(far[0])).toBe(-1);
    expect(Math.hypot(...far)).toBeLessThan(0.06);
    // Frame 0 (no turn): nothing mirrored, but no brow moves 0.4 face sizes: it is capped.
    expect(Math.hypot(...at(0, partner))).toBeCloseTo(0.12, 3);
    // The mouth keeps its full opening, and the near brow is untouched.
    for (let i = 0; i < 3; i++) expect(at(i, LOWER_LIP)[1]).toBeCloseTo(0.45, 5);
    expect(at(2, brow)[1]).toBeCloseTo(-0.03, 5);
  });

  it("keeps the head's smooth shape and part of the nose and brow relief", () => {
    const landmarks = Float32Array.from(face.landmarks);
    const size = faceSize(landmarks);
    const soft = softenDepthRelief(landmarks, [256, 300, 0], size);
    const noseTip = 4;
    const cheeks = [234, 454];
    const relief = (points: Float32Array) => points[noseTip * 3 + 2] - (points[cheeks[0] * 3 + 2] + points[cheeks[1] * 3 + 2]) / 2;
    expect(relief(soft) / relief(landmarks)).toBeGreaterThan(0.6); // the head still has depth
    expect(relief(soft) / relief(landmarks)).toBeLessThan(1);
    for (let j = 0; j < landmarks.length; j += 3) {
      expect(soft[j]).toBe(landmarks[j]);
      expect(soft[j + 1]).toBe(landmarks[j + 1]);
    }
  });
});
