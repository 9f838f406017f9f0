// The head-pose control images against HelloMeme's gen_control_heatmaps / draw_skl_by_rect (test/golden/
// hellomeme_inputs): the driver's quads with trans_ratio 0 and 0.5 and the reference's, and random quads partly or
// wholly off the canvas, each pixel for pixel (OpenCV's thick lines), and the control tensor px/255·2 − 1.
import { describe, expect, it } from 'vitest';
import { drawPoseQuad, imageToSignedTensor, projectPoseQuad, retargetTranslation } from '../../../../../../src/pipeline/engines/hellomeme/pose-quad.ts';
import { maxAbsDiff } from '../../../../../graph/golden-helpers.ts';
import { band, INPUTS, pixelDiff, readPng } from './inputs-golden.ts';

const poses = INPUTS.pose_images;

describe('pose images (gen_control_heatmaps)', () => {
  it.each(poses.cases.map((c) => [c.name, c] as const))('draws every frame as HelloMeme does: %s', async (_name, c) => {
    const stack = await readPng(poses.png);
    c.rot.forEach((rot, f) => {
      const translation = retargetTranslation(poses.ref_trans, c.trans[f], c.trans[0], c.trans_ratio);
      const image = drawPoseQuad(projectPoseQuad(rot, translation));
      const expected = band(stack, c.first_row + f);
      expect(pixelDiff(expected, image)).toEqual({ max: 0, differing: 0 });
      expect(maxAbsDiff(imageToSignedTensor(expected), imageToSignedTensor(image))).toBe(0);
    });
  });

  it('moves the driver quads by half the driver translation at trans_ratio 0.5, not at 0', async () => {
    const stack = await readPng(poses.png);
    const [still, half] = poses.cases;
    // Frame 0 has no relative translation; the last frame (T moved by 0.2, 0.1) differs between the two.
    expect(pixelDiff(band(stack, still.first_row), band(stack, half.first_row)).differing).toBe(0);
    expect(pixelDiff(band(stack, still.first_row + 3), band(stack, half.first_row + 3)).differing).toBeGreaterThan(1000);
  });
});

describe('quads (draw_skl_by_rect)', () => {
  it.each(INPUTS.quads.rects.map((rect, i) => [i, rect] as const))('draws random quad %i as OpenCV does', async (i, rect) => {
    const stack = await readPng(INPUTS.quads.png);
    expect(pixelDiff(band(stack, i), drawPoseQuad(rect))).toEqual({ max: 0, differing: 0 });
  });
});
