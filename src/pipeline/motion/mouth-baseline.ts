// Where a driver's mouth counts as "closed". Relative retargeting measures everything against frame 0, but
// meme clips often start mid-gasp or laugh the whole way through: measured that way their big moment reads
// as "no change" and the photo never opens its mouth. So the mouth is re-based on the clip's most closed
// frame, and any gap still open there is added back as a jaw drop.
import { INNER_LIPS, LOWER_INNER_LIP_MID, MOUTH_CORNERS, UPPER_INNER_LIP_MID } from './face-regions.ts';
import type { MotionTrack } from './motion-track.ts';

const NOSE_TIP = 4;
const UPPER_LIP_TOP = 0;
/** Gaps below this (in face-size units) are lips resting apart, not an open mouth. */
const MIN_OPEN_GAP = 0.03;

/** The shape of frame `index` in the reference pose, face-size units: reference/size + expression. */
function shapeAt(track: MotionTrack, scaledReference: Float32Array, index: number, landmark: number, axis: number): number {
  return scaledReference[landmark * 3 + axis] + track.expressions[(index * track.landmarkCount + landmark) * 3 + axis];
}

function mouthOpening(track: MotionTrack, scaledReference: Float32Array, index: number): number {
  let sum = 0;
  for (let k = 0; k < INNER_LIPS.length; k++) {
    const a = INNER_LIPS[k];
    const b = INNER_LIPS[(k + 1) % INNER_LIPS.length];
    sum += shapeAt(track, scaledReference, index, a, 0) * shapeAt(track, scaledReference, index, b, 1);
    sum -= shapeAt(track, scaledReference, index, b, 0) * shapeAt(track, scaledReference, index, a, 1);
  }
  return Math.abs(sum) / 2;
}

const ramp = (value: number, from: number, to: number) => Math.max(0, Math.min(1, (value - from) / (to - from || 1e-6)));

/** Per landmark, how much it belongs to the mouth: 0 above the nose tip, 1 from the upper lip down. */
function mouthWeights(reference: Float32Array): Float32Array {
  const weights = new Float32Array(reference.length / 3);
  for (let j = 0; j < weights.length; j++) weights[j] = ramp(reference[j * 3 + 1], reference[NOSE_TIP * 3 + 1], reference[UPPER_LIP_TOP * 3 + 1]);
  return weights;
}

/** Per landmark, how much it drops with the jaw: the lower lip and chin fully, jaw sides less, the rest not. */
function jawWeights(reference: Float32Array): Float32Array {
  const [left, right] = MOUTH_CORNERS;
  const cornerY = (reference[left * 3 + 1] + reference[right * 3 + 1]) / 2;
  const centreX = (reference[left * 3] + reference[right * 3]) / 2;
  const halfWidth = Math.abs(reference[right * 3] - reference[left * 3]) / 2;
  const lowerLipY = reference[LOWER_INNER_LIP_MID * 3 + 1];
  const weights = new Float32Array(reference.length / 3);
  for (let j = 0; j < weights.length; j++) {
    const vertical = ramp(reference[j * 3 + 1], cornerY, lowerLipY);
    const sideways = Math.max(0, Math.abs(reference[j * 3] - centreX) - halfWidth) / (2 * halfWidth);
    weights[j] = vertical * Math.max(0.3, 1 - sideways);
  }
  return weights;
}

export function rebaseMouth(track: MotionTrack, referenceLandmarks: Float32Array, size: number): void {
  const scaled = referenceLandmarks.map((v) => v / size);
  let closest = -1;
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < track.frameCount; i++) {
    const opening = track.found[i] ? mouthOpening(track, scaled, i) : Number.POSITIVE_INFINITY;
    if (opening < smallest) [smallest, closest] = [opening, i];
  }
  if (closest < 0) return;
  const gapX = shapeAt(track, scaled, closest, LOWER_INNER_LIP_MID, 0) - shapeAt(track, scaled, closest, UPPER_INNER_LIP_MID, 0);
  const gapY = shapeAt(track, scaled, closest, LOWER_INNER_LIP_MID, 1) - shapeAt(track, scaled, closest, UPPER_INNER_LIP_MID, 1);
  const stillOpen = Math.hypot(gapX, gapY) > MIN_OPEN_GAP;
  const mouth = mouthWeights(referenceLandmarks);
  const jaw = jawWeights(referenceLandmarks);
  const n = track.landmarkCount;
  const offset = new Float32Array(n * 3);
  for (let j = 0; j < n; j++) {
    for (let axis = 0; axis < 3; axis++) offset[j * 3 + axis] = mouth[j] * track.expressions[(closest * n + j) * 3 + axis];
    if (stillOpen) {
      offset[j * 3] -= jaw[j] * gapX;
      offset[j * 3 + 1] -= jaw[j] * gapY;
    }
  }
  for (let i = 0; i < track.frameCount; i++) {
    for (let k = 0; k < n * 3; k++) track.expressions[i * n * 3 + k] -= offset[k];
  }
}
