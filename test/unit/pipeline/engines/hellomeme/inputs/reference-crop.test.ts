// Input fixes 1 and 2 against HelloMeme's own crop_and_resize (test/golden/hellomeme_inputs): the reference is cropped
// from the toolkit's 222 landmarks on the full-resolution photo, then the crop is resized to 512², so the crop, its
// landmarks and the 3DMM / PD-FGC faces cut from it are HelloMeme's, pixel for pixel.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPdFgcInput } from '../../../../../../src/pipeline/engines/hellomeme/pd-fgc-align.ts';
import { computeCropRect, cropClip512, mapPointsToCrop } from '../../../../../../src/pipeline/face-toolkit/crop-512.ts';
import { buildHeadPoseInput, parseHeadPose } from '../../../../../../src/pipeline/face-toolkit/head-pose-3dmm.ts';
import { decodeImage } from '../../../../../../src/pipeline/media/image.ts';
import type { RgbImage } from '../../../../../../src/pipeline/types.ts';
import { REPO_ROOT } from '../../../../../helpers/fixtures.ts';
import { INPUTS, interleaved, maxPointError, pixelDiff, readPng } from './inputs-golden.ts';

const reference = INPUTS.reference_crop;

/** The 3DMM network input (3×224×224 RGB, px/255) back as the 8-bit image it was made from. */
function tensorImage(tensor: Float32Array, side: number): RgbImage {
  const plane = side * side;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(tensor[c * plane + i] * 255);
  return { width: side, height: side, data };
}

describe('the reference crop (crop_and_resize on the full-resolution photo)', () => {
  it('decodes the fixture photo to the pixels HelloMeme read', async () => {
    const photo = await decodeImage(readFileSync(path.join(REPO_ROOT, reference.photo)));
    expect([photo.width, photo.height]).toEqual(reference.photo_size);
    expect(createHash('sha256').update(photo.data).digest('hex')).toBe(reference.photo_rgb_sha256);
  });

  it('crops the box HelloMeme crops and resizes it to the same 512² pixels and landmarks', async () => {
    const photo = await decodeImage(readFileSync(path.join(REPO_ROOT, reference.photo)));
    const clip = cropClip512([photo], [interleaved(reference.landmarks)]);
    const [x0, y0, x1, y1] = reference.rect;
    expect(clip.rect).toEqual({ x0, y0, x1, y1 });
    expect(maxPointError(reference.crop_landmarks, clip.landmarks[0])).toBeLessThan(1e-9);
    expect(pixelDiff(await readPng(reference.crop_png), clip.frames[0])).toEqual({ max: 0, differing: 0 });
  });

  it.each(INPUTS.crop_geometry.map((c) => [c.name, c] as const))('places the box as HelloMeme does: %s', (_name, c) => {
    const landmarks = c.landmarks.map(interleaved);
    const rect = computeCropRect(landmarks, c.frame_size[0], c.frame_size[1]);
    const [x0, y0, x1, y1] = c.rect;
    expect(rect).toEqual({ x0, y0, x1, y1 });
    landmarks.forEach((points, f) => void expect(maxPointError(c.crop_landmarks[f], mapPointsToCrop(points, rect))).toBeLessThan(1e-9));
  });
});

describe('the faces HelloMeme cuts from the reference crop', () => {
  it('gives hello_3dmm the same 224² input and reads the same pose from its output', async () => {
    const crop = await readPng(reference.crop_png);
    const golden = INPUTS.head_pose;
    const input = buildHeadPoseInput(crop, interleaved(reference.crop_landmarks));
    expect(Math.max(...golden.matrix.map((v, i) => Math.abs(v - input.warp.matrix[i])))).toBeLessThan(1e-9);
    expect(input.warp.scale).toBeCloseTo(golden.scale, 12);
    expect(pixelDiff(await readPng(golden.input_png), tensorImage(input.tensor, 224))).toEqual({ max: 0, differing: 0 });
    const coefficients = new Float32Array(1201);
    coefficients.set(golden.coefficients_angles, 1168);
    coefficients.set(golden.coefficients_translation, 1198);
    const pose = parseHeadPose(coefficients, input, crop.width, crop.height);
    expect(pose.rot).toEqual(golden.rot);
    // HelloMeme returns the translation as float32; ours stays float64.
    pose.trans.forEach((v, i) => void expect(Math.abs(v - golden.trans[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(golden.trans[i]))));
  });

  it('aligns the PD-FGC face with the same similarity and the same 224² pixels', async () => {
    const crop = await readPng(reference.crop_png);
    const input = buildPdFgcInput(crop, interleaved(reference.crop_landmarks));
    expect(Math.max(...INPUTS.pd_fgc.matrix.map((v, i) => Math.abs(v - input.matrix[i])))).toBeLessThan(1e-9);
    expect(pixelDiff(await readPng(INPUTS.pd_fgc.input_png), input.image)).toEqual({ max: 0, differing: 0 });
  });
});
