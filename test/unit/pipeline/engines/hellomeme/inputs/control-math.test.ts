// The head-pose quadrilateral and the PD-FGC crop, by hand (the goldens beside this file check them against
// HelloMeme's own code).
import { describe, expect, it } from 'vitest';
import { buildPdFgcInput, PD_FGC_TEMPLATE, pdFgcMatrix } from '../../../../../../src/pipeline/engines/hellomeme/pd-fgc-align.ts';
import { drawPoseQuad, imageToSignedTensor, projectPoseQuad, retargetTranslation, rotationXYZ } from '../../../../../../src/pipeline/engines/hellomeme/pose-quad.ts';
import { HEAD_POSE_FOCAL } from '../../../../../../src/pipeline/face-toolkit/head-pose-3dmm.ts';
import type { RgbImage } from '../../../../../../src/pipeline/types.ts';

describe('head-pose quadrilateral', () => {
  it('composes R = Rz·Ry·Rx', () => {
    expect(rotationXYZ([Math.PI / 2, Math.PI / 2, 0]).map((v) => Math.round(v * 1e9) / 1e9 + 0)).toEqual([0, 1, 0, 0, 0, -1, -1, 0, 0]);
  });

  it('projects a frontal square 0.1 wide at Tz = −2 to ±120.7 px about the centre, y flipped', () => {
    const q = projectPoseQuad([0, 0, 0], [0, 0, -2]);
    const d = (HEAD_POSE_FOCAL * 0.05 * 0.05) / 0.1;
    [
      [256 - d, 256 + d],
      [256 - d, 256 - d],
      [256 + d, 256 - d],
      [256 + d, 256 + d],
    ].forEach((v, i) => {
      expect(q[i][0]).toBeCloseTo(v[0], 9);
      expect(q[i][1]).toBeCloseTo(v[1], 9);
    });
  });

  it('draws 15-px edges green, blue, red, magenta on black, later edges over earlier corners', () => {
    const img = drawPoseQuad(projectPoseQuad([0, 0, 0], [0, 0, -2])); // corners (135, 376), (135, 135), (376, 135), (376, 376)
    const at = (x: number, y: number) => [...img.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)];
    expect(at(135, 256)).toEqual([0, 255, 0]);
    expect(at(256, 135)).toEqual([0, 0, 255]);
    expect(at(376, 256)).toEqual([255, 0, 0]);
    expect(at(256, 376)).toEqual([255, 0, 255]);
    expect(at(256, 256)).toEqual([0, 0, 0]);
    expect(at(143, 256)).toEqual([0, 255, 0]);
    expect(at(144, 256)).toEqual([0, 0, 0]);
    expect(at(135, 135)).toEqual([0, 0, 255]);
    expect(at(135, 376)).toEqual([255, 0, 255]);
    const tensor = imageToSignedTensor(img);
    expect([tensor[256 * 512 + 256], tensor[512 * 512 + 256 * 512 + 135], tensor[256 * 512 + 135]]).toEqual([-1, 1, -1]);
  });


  it('retargets translation from the reference with the driver’s relative motion', () => {
    expect(retargetTranslation([1, 2, 3], [0.5, 0.5, 0.5], [0.1, 0.2, 0.3], 0.5)).toEqual([1.2, 2.15, 3.1]);
  });
});

describe('the PD-FGC crop', () => {
  it('maps pupils, nose and mouth corners onto the 224 template', () => {
    const pts = new Float64Array(444);
    [182, 202, 36, 149, 133].forEach((p, k) => void pts.set([PD_FGC_TEMPLATE[k * 2] * 112 + 40, PD_FGC_TEMPLATE[k * 2 + 1] * 112 + 30], p * 2));
    pdFgcMatrix(pts).forEach((v, i) => void expect(v).toBeCloseTo([2, 0, -80, 0, 2, -60][i], 9));
    // crop pixel (x, y) samples the frame at (x/2 + 40, y/2 + 30): a 100² white frame covers the top-left part only
    const frame: RgbImage = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3).fill(255) };
    const input = buildPdFgcInput(frame, pts);
    expect(input.tensor.length).toBe(3 * 224 * 224);
    expect(input.tensor[60 * 224 + 60]).toBeCloseTo(1, 6);
    expect(input.tensor[2 * 224 * 224 + 200 * 224 + 200]).toBe(-1);
  });
});
