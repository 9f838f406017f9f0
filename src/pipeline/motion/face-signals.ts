// Scalar measures of one face from its 478 landmarks: size, mouth opening, eye openness and gaze. Motion
// extraction, retargeting and the eval read a face through these, so "open" means the same everywhere.
import { type EyeKeyPoints, LOWER_INNER_LIP_MID, RIGID_POINTS, UPPER_INNER_LIP_MID } from './face-regions.ts';
import { centroid3 } from './rigid-fit.ts';

/** RMS distance of the rigid points from their centroid: a rotation-invariant face size in pixels. */
export function faceSize(landmarks: Float32Array): number {
  const [cx, cy, cz] = centroid3(landmarks, RIGID_POINTS);
  let sum = 0;
  for (const i of RIGID_POINTS) {
    sum += (landmarks[i * 3] - cx) ** 2 + (landmarks[i * 3 + 1] - cy) ** 2 + (landmarks[i * 3 + 2] - cz) ** 2;
  }
  return Math.sqrt(sum / RIGID_POINTS.length);
}

function distance3(landmarks: Float32Array, a: number, b: number): number {
  return Math.hypot(landmarks[a * 3] - landmarks[b * 3], landmarks[a * 3 + 1] - landmarks[b * 3 + 1], landmarks[a * 3 + 2] - landmarks[b * 3 + 2]);
}

/** Gap between the inner lips' midpoints over face size (0 closed, ~0.5 a wide gasp). */
export function mouthOpening(landmarks: Float32Array, size = faceSize(landmarks)): number {
  return size > 0 ? distance3(landmarks, UPPER_INNER_LIP_MID, LOWER_INNER_LIP_MID) / size : 0;
}

/** Lid gap over eye width (3-D, so a turned head does not read as a closing eye): ~0.3 open, < 0.1 shut. */
export function eyeOpenness(landmarks: Float32Array, keys: EyeKeyPoints): number {
  const width = distance3(landmarks, keys.outer, keys.inner);
  return width > 0 ? distance3(landmarks, keys.upper, keys.lower) / width : 0;
}

/**
 * Where the iris centre sits in the eye opening: [along, across] in eye widths from the midpoint of the
 * corners, `along` towards the inner corner, `across` towards the lower lid. 2-D, in the image plane.
 */
export function irisOffset(landmarks: Float32Array, keys: EyeKeyPoints): [number, number] {
  const irisCentre = keys.iris;
  const ox = landmarks[keys.outer * 3];
  const oy = landmarks[keys.outer * 3 + 1];
  const ax = landmarks[keys.inner * 3] - ox;
  const ay = landmarks[keys.inner * 3 + 1] - oy;
  const width2 = ax * ax + ay * ay;
  if (width2 <= 0) return [0, 0];
  const dx = landmarks[irisCentre * 3] - (ox + ax / 2);
  const dy = landmarks[irisCentre * 3 + 1] - (oy + ay / 2);
  // The across axis is the along axis turned a quarter clockwise in image coordinates (y down): downwards for
  // an upright eye whichever side of the face it is on.
  const sign = ax >= 0 ? 1 : -1;
  return [(dx * ax + dy * ay) / width2, (sign * (-dx * ay + dy * ax)) / width2];
}
