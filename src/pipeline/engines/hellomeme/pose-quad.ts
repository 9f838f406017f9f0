// The v5 head-pose control image: a 0.05-unit square rotated by the 3DMM angles, translated, projected with the
// 3DMM camera, drawn as 4 coloured 15-px OpenCV lines on black 512², then as a CHW tensor in [−1, 1]. Pure math/pixels.
import type { RgbImage } from '../../types.ts';
import { HEAD_POSE_FOCAL } from '../../face-toolkit/head-pose-3dmm.ts';
import { drawOpenCvThickLine } from './opencv-thick-line.ts';

export const POSE_IMAGE_SIZE = 512;
const POSE_LINE_THICKNESS = 15;
const SQUARE = [
  [-1, -1, 0],
  [-1, 1, 0],
  [1, 1, 0],
  [1, -1, 0],
].map((v) => v.map((c) => c * 0.05));

/** RGB colours of the edges p0→p1, p1→p2, p2→p3, p3→p0 (OpenCV BGR green, blue, red, magenta). */
const POSE_EDGE_COLOURS_RGB = Object.freeze([
  [0, 255, 0],
  [0, 0, 255],
  [255, 0, 0],
  [255, 0, 255],
] as const);

/** R = Rz(γ)·Ry(β)·Rx(α), row-major 3×3. */
export function rotationXYZ(angles: readonly number[]): number[] {
  const [sx, sy, sz] = angles.map(Math.sin);
  const [cx, cy, cz] = angles.map(Math.cos);
  return [cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx, sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx, -sy, cy * sx, cy * cx];
}

/** Image positions (float, y down) of the square's 4 vertices for pose (rot, trans) on a size² canvas. */
export function projectPoseQuad(rot: readonly number[], trans: readonly number[], size = POSE_IMAGE_SIZE, focal = HEAD_POSE_FOCAL): number[][] {
  const r = rotationXYZ(rot);
  const f = focal * 0.05;
  return SQUARE.map((v) => {
    const px = r[0] * v[0] + r[1] * v[1] + r[2] * v[2] + trans[0];
    const py = r[3] * v[0] + r[4] * v[1] + r[5] * v[2] + trans[1];
    const pz = r[6] * v[0] + r[7] * v[1] + r[8] * v[2] + 0.05 * trans[2];
    return [(f * px) / -pz + size / 2, size - ((f * py) / -pz + size / 2)];
  });
}

/** The pose image: vertices truncated to integers, 4 edges drawn in order (later edges overwrite corners). */
export function drawPoseQuad(vertices: readonly (readonly number[])[], size = POSE_IMAGE_SIZE): RgbImage {
  const image: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3) };
  const ints = vertices.map((v) => [Math.trunc(v[0]), Math.trunc(v[1])]);
  for (let e = 0; e < 4; e++) drawOpenCvThickLine(image, ints[e], ints[(e + 1) % 4], POSE_EDGE_COLOURS_RGB[e], POSE_LINE_THICKNESS);
  return image;
}

/** RGB image → 3×H×W float tensor px/255·2 − 1 (the black background becomes −1). */
export function imageToSignedTensor(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const tensor = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) tensor[c * plane + i] = (image.data[i * 3 + c] / 255) * 2 - 1;
  return tensor;
}

/** Driver frame t's pose translation: ref_trans + (trans_t − trans_0)·transRatio (rotation stays the driver's). */
export function retargetTranslation(refTrans: readonly number[], trans: readonly number[], firstTrans: readonly number[], transRatio: number): number[] {
  return [0, 1, 2].map((i) => refTrans[i] + (trans[i] - firstTrans[i]) * transRatio);
}
