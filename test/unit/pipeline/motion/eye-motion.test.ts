import { describe, expect, it } from 'vitest';
import { extractEyeMotion, fuseBlink } from '../../../../src/pipeline/motion/eye-motion.ts';
import { LEFT_EYE_KEYS, MESH_POINTS, RIGHT_EYE_KEYS, type EyeKeyPoints } from '../../../../src/pipeline/motion/face-regions.ts';
import type { Face } from '../../../../src/pipeline/types.ts';

/** A face whose only meaningful points are the eyes' corners, lids and iris centres. */
function eyesFace(openL: number, openR: number, irisShiftX = 0): Face {
  const landmarks = new Float32Array(MESH_POINTS * 3);
  const put = (i: number, x: number, y: number) => landmarks.set([x, y, 0], i * 3);
  const eye = (keys: EyeKeyPoints, outerX: number, innerX: number, open: number) => {
    put(keys.outer, outerX, 100);
    put(keys.inner, innerX, 100);
    const mid = (outerX + innerX) / 2;
    const gap = Math.abs(innerX - outerX) * 0.3 * open;
    put(keys.upper, mid, 100 - gap / 2);
    put(keys.lower, mid, 100 + gap / 2);
    put(keys.iris, mid + irisShiftX, 100);
  };
  eye(LEFT_EYE_KEYS, 60, 100, openL);
  eye(RIGHT_EYE_KEYS, 180, 140, openR);
  return { box: { x: 0, y: 0, width: 240, height: 200 }, score: 1, landmarks, pose: { yaw: 0, pitch: 0, roll: 0 } };
}

describe('eye motion', () => {
  it('makes a blink of both eyes one blink, however unevenly the mesh read the two lids', () => {
    expect(fuseBlink(0.75, 0.24)).toEqual([0.24, 0.24]);
    expect(fuseBlink(0.2, 0.5)).toEqual([0.2, 0.2]);
  });

  it('keeps a wink a wink and leaves open eyes and small squints alone', () => {
    expect(fuseBlink(0.05, 0.95)).toEqual([0.05, 0.95]);
    expect(fuseBlink(1, 1)).toEqual([1, 1]);
    expect(fuseBlink(0.8, 0.9)).toEqual([0.8, 0.9]);
  });

  it('measures each eye against its usual openness, so a blink reads the same on any eye size', () => {
    const faces = [1, 1, 1, 0.1, 1, 1, 1, 1].map((open, i) => eyesFace(open, i === 3 ? 0.5 : 1));
    const { eyes } = extractEyeMotion(faces, faces);
    expect(eyes[0]).toBeCloseTo(1, 5);
    // Frame 3: the left eye shut, the right half shut: one blink of both, as shut as the more closed eye.
    expect(eyes[6]).toBeLessThan(0.15);
    expect(eyes[7]).toBeCloseTo(eyes[6], 5);
  });

  it('keeps a wink of one eye while the other stays open', () => {
    const faces = [1, 1, 0.05, 1, 1].map((open) => eyesFace(open, 1));
    const { eyes } = extractEyeMotion(faces, faces);
    expect(eyes[4]).toBeLessThan(0.15);
    expect(eyes[5]).toBeCloseTo(1, 5);
  });

  it("turns the irises' shift from their usual place into eye widths, and fades it as the lids close", () => {
    const faces = [0, 0, 0, 8, 0].map((shift) => eyesFace(1, 1, shift));
    const { gaze } = extractEyeMotion(faces, faces);
    // Frame 3: both irises 8 px to the image's right in 40 px wide eyes: towards the left eye's inner corner
    // (along > 0) and the right eye's outer corner (along < 0).
    expect(gaze[3 * 4]).toBeCloseTo(0.2, 2);
    expect(gaze[3 * 4 + 2]).toBeCloseTo(-0.2, 2);
    expect(gaze[0]).toBeCloseTo(0, 5);
    const shut = [0, 0, 8].map((shift, i) => eyesFace(i === 2 ? 0.05 : 1, i === 2 ? 0.05 : 1, shift));
    expect(Math.abs(extractEyeMotion(shut, shut).gaze[2 * 4])).toBeLessThan(0.05);
  });
});
