// Takes what is not expression out of a driver's expression track. When the driver turns, the mesh guesses the
// side of the face that is foreshortened (in the first frame or in this one), and the guess does not turn
// rigidly with the head: the rigid fit leaves it over as "expression", up to 0.4 face sizes around the far eye
// and brow, which tears a photo's eye apart. So (1) the side that was farther from the camera takes the mirror
// image of the near side's expression, more so the further the head turned; (2) above the mouth, where real
// expressions move landmarks little (brows, lids, cheeks), displacements are capped.
// The mirrored share changes smoothly across the midline (MIRROR_BLEND_WIDTH): a hard switch there gave the
// midline (nose, lips, chin) its own sideways motion and its neighbours a few pixels away the mirror image of
// theirs, a jump of up to 0.2 face sizes that stretched the photo 3× on one side of the midline and shrank it
// on the other: a seam from nose to chin on large turns.
import { smoothstep } from '../smoothstep.ts';
import type { MotionTrack } from './motion-track.ts';

/** Head turns (yaw change since the first frame, degrees) from which the far side is mirrored, and fully. */
const MIRROR_FROM_DEG = 6;
const MIRROR_FULL_DEG = 20;
/**
 * Half-width (face sizes, head x) of the band around the midline over which the mirrored share goes from none
 * (near side) through one half (on the midline: the average of both sides, so a midline landmark moves
 * sideways only as much as both sides agree) to all (far side). Wide enough that neighbours a few pixels
 * apart get nearly the same share; narrow enough that the far eye (inner corner ≈ 0.26–0.32) is mirrored fully.
 */
const MIRROR_BLEND_WIDTH = 0.3;
/** Largest displacement (face sizes) above the nose tip, and from the upper lip down (jaw, lips: gasps, laughs). */
const UPPER_CAP = 0.12;
const LOWER_CAP = 0.6;
const NOSE_TIP = 4;
const UPPER_LIP_TOP = 0;

const clamp01 = (v: number) => Math.max(0, Math.min(1, v));

/** Row-major 3×3 times a vector. */
function apply(m: ArrayLike<number>, x: number, y: number, z: number, transpose: boolean): [number, number, number] {
  return transpose
    ? [m[0] * x + m[3] * y + m[6] * z, m[1] * x + m[4] * y + m[7] * z, m[2] * x + m[5] * y + m[8] * z]
    : [m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z, m[6] * x + m[7] * y + m[8] * z];
}

/**
 * `reference`: the first face's landmarks (pixels); `size` its face size; `mirror`: each landmark's partner
 * across the midline (FaceAnalyzer.meshMirror), or none to skip the mirroring.
 */
export function cleanExpressions(track: MotionTrack, reference: Float32Array, size: number, mirror?: ArrayLike<number>): void {
  const n = track.landmarkCount;
  const axes = track.referenceAxes;
  // Each landmark's head x (face sizes: which side of the midline, and how far) and how much it belongs to the mouth region.
  let cx = 0;
  let cy = 0;
  for (let j = 0; j < n; j++) {
    cx += reference[j * 3] / n;
    cy += reference[j * 3 + 1] / n;
  }
  const headX = new Float32Array(n);
  const lowerShare = new Float32Array(n);
  const noseY = reference[NOSE_TIP * 3 + 1];
  const lipY = reference[UPPER_LIP_TOP * 3 + 1];
  for (let j = 0; j < n; j++) {
    const [hx] = apply(axes, reference[j * 3] - cx, reference[j * 3 + 1] - cy, 0, true);
    headX[j] = hx / size;
    lowerShare[j] = clamp01((reference[j * 3 + 1] - noseY) / (lipY - noseY || 1));
  }
  const firstYaw = track.poses[0];
  const original = new Float32Array(n * 3);
  for (let i = 0; i < track.frameCount; i++) {
    const e = track.expressions.subarray(i * n * 3, (i + 1) * n * 3);
    const yaw = track.poses[i * 3];
    const weight = clamp01((Math.abs(yaw - firstYaw) - MIRROR_FROM_DEG) / (MIRROR_FULL_DEG - MIRROR_FROM_DEG));
    // yaw > 0 turns the face to the image's right: its +x side recedes. The farther of the two frames decides.
    const far = Math.sign(Math.abs(yaw) > Math.abs(firstYaw) ? yaw : firstYaw);
    if (mirror && weight > 0 && far !== 0) {
      original.set(e);
      for (let j = 0; j < n; j++) {
        // Mirrored share: 0 on the near side, 1/2 on the midline, 1 on the far side, smooth in between. With a
        // full turn weight a pair across the midline ends up exact mirror images of each other (their shares sum to 1).
        const share = weight * smoothstep(-MIRROR_BLEND_WIDTH, MIRROR_BLEND_WIDTH, far * headX[j]);
        if (share <= 0) continue;
        const p = mirror[j];
        // The partner's displacement in head coordinates, x flipped, back in camera coordinates.
        const [hx, hy, hz] = apply(axes, original[p * 3], original[p * 3 + 1], original[p * 3 + 2], true);
        const [mx, my, mz] = apply(axes, -hx, hy, hz, false);
        e[j * 3] += (mx - e[j * 3]) * share;
        e[j * 3 + 1] += (my - e[j * 3 + 1]) * share;
        e[j * 3 + 2] += (mz - e[j * 3 + 2]) * share;
      }
    }
    for (let j = 0; j < n; j++) {
      const cap = UPPER_CAP + (LOWER_CAP - UPPER_CAP) * lowerShare[j];
      const length = Math.hypot(e[j * 3], e[j * 3 + 1], e[j * 3 + 2]);
      if (length <= cap) continue;
      const k = cap / length;
      e[j * 3] *= k;
      e[j * 3 + 1] *= k;
      e[j * 3 + 2] *= k;
    }
  }
}
