// Relative retargeting of one driver frame onto the photo's face: the driver's head rotation since its first
// frame at full strength about the photo's head centre, in 3-D (the mesh's depth turns with it), its scale and
// shift as given (keep-in-frame.ts bounds them), its expression turned from the driver's head frame into the
// photo's, and its eyes as relative openness and iris shift fitted into the photo's own eyes. Pure geometry.
import { faceAxes } from '../face/head-pose.ts';
import { type EyeKeyPoints, IRIS_POINTS_PER_EYE, LEFT_EYE, LEFT_EYE_KEYS, RIGHT_EYE, RIGHT_EYE_KEYS, RIGID_POINTS } from './face-regions.ts';
import { softenDepthRelief } from './depth-relief.ts';
import { eyeOpenness, faceSize } from './face-signals.ts';
import type { MotionFrame } from './motion-track.ts';
import { centroid3 } from './rigid-fit.ts';

/** Where a shut eye's lids meet, from the lower lid (0) to the upper (1): the upper lid travels most. */
const CLOSED_AT = 0.3;
/** A photo eye narrower than this (lid gap / width) is already shut or squinting: its lids are left alone. */
const MIN_PHOTO_OPENNESS = 0.1;
/** The iris centre may sit at most this far from the eye's middle, in eye widths (it stays in the opening). */
const MAX_IRIS_ALONG = 0.22;

interface PhotoEye {
  keys: EyeKeyPoints;
  /** Upper-lid contour points and the lower-lid points facing them, pair by pair. */
  upper: number[];
  lower: number[];
  irisPoints: number[];
  /** Lids are moved only where the photo's eye is open. */
  open: boolean;
}

export interface PhotoFaceGeometry {
  /** The photo's landmarks: x, y as detected, depth with its relief softened (depth-relief.ts). */
  landmarks: Float32Array;
  centre: [number, number, number];
  size: number;
  /** The photo's head axes (head-pose.ts faceAxes): driver expression is turned into this frame. */
  axes: Float64Array;
  /** Both eyes when the landmarks have irises (478 points), else none. */
  eyes: PhotoEye[];
}

/** Pairs the upper-lid contour with the lower lid: contours run outer corner, upper lid, inner corner, lower lid. */
function photoEye(landmarks: Float32Array, contour: readonly number[], keys: EyeKeyPoints): PhotoEye {
  const half = contour.length / 2;
  const upper = contour.slice(1, half);
  const lower = contour.slice(half + 1).reverse();
  const irisPoints = Array.from({ length: IRIS_POINTS_PER_EYE }, (_, k) => keys.iris + k);
  return { keys, upper, lower, irisPoints, open: eyeOpenness(landmarks, keys) >= MIN_PHOTO_OPENNESS };
}

export function photoFaceGeometry(photoLandmarks: Float32Array): PhotoFaceGeometry {
  const withIris = photoLandmarks.length / 3 > RIGHT_EYE_KEYS.iris;
  const centre = centroid3(photoLandmarks, RIGID_POINTS);
  const size = faceSize(photoLandmarks);
  const landmarks = softenDepthRelief(photoLandmarks, centre, size);
  return {
    landmarks,
    centre,
    size,
    axes: faceAxes(photoLandmarks),
    eyes: withIris ? [photoEye(landmarks, LEFT_EYE, LEFT_EYE_KEYS), photoEye(landmarks, RIGHT_EYE, RIGHT_EYE_KEYS)] : [],
  };
}

/** M = A_photo · A_driverᵀ: a displacement in the driver's head frame, expressed in the photo's. */
function expressionFrame(photoAxes: Float64Array, driverAxes: ArrayLike<number>): Float64Array {
  const m = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) m[r * 3 + c] += photoAxes[r * 3 + k] * driverAxes[c * 3 + k];
  return m;
}

/** Rewrites the lid and iris points of `shape` (the photo face with expression, before head motion). */
function placeEye(shape: Float32Array, photo: Float32Array, eye: PhotoEye, openness: number, gaze: ArrayLike<number>, offset: number): void {
  const { keys } = eye;
  // The eye region's own drift (cheeks raised, brows): the corners' mean expression shift.
  const drift = [0, 1, 2].map((a) => (shape[keys.outer * 3 + a] - photo[keys.outer * 3 + a] + shape[keys.inner * 3 + a] - photo[keys.inner * 3 + a]) / 2);
  if (eye.open) {
    for (let k = 0; k < eye.upper.length; k++) {
      const u = eye.upper[k];
      const l = eye.lower[k];
      for (let a = 0; a < 3; a++) {
        const meet = photo[l * 3 + a] + CLOSED_AT * (photo[u * 3 + a] - photo[l * 3 + a]);
        shape[u * 3 + a] = meet + (photo[u * 3 + a] - meet) * openness + drift[a];
        shape[l * 3 + a] = meet + (photo[l * 3 + a] - meet) * openness + drift[a];
      }
    }
  }
  // The iris moves along and across the eye by the driver's shift in eye widths, and stays in the opening.
  const ax = photo[keys.inner * 3] - photo[keys.outer * 3];
  const ay = photo[keys.inner * 3 + 1] - photo[keys.outer * 3 + 1];
  const width = Math.hypot(ax, ay);
  if (width <= 0) return;
  const midX = (photo[keys.inner * 3] + photo[keys.outer * 3]) / 2;
  const midY = (photo[keys.inner * 3 + 1] + photo[keys.outer * 3 + 1]) / 2;
  const along0 = ((photo[keys.iris * 3] - midX) * ax + (photo[keys.iris * 3 + 1] - midY) * ay) / (width * width);
  const reach = Math.max(MAX_IRIS_ALONG, Math.abs(along0)); // a photo's iris already off-centre stays where it is
  const along = Math.max(-reach, Math.min(reach, along0 + gaze[offset])) - along0;
  const across = gaze[offset + 1];
  const sign = ax >= 0 ? 1 : -1;
  const dx = along * ax - sign * across * ay;
  const dy = along * ay + sign * across * ax;
  for (const p of eye.irisPoints) {
    shape[p * 3] = photo[p * 3] + dx + drift[0];
    shape[p * 3 + 1] = photo[p * 3 + 1] + dy + drift[1];
    shape[p * 3 + 2] = photo[p * 3 + 2] + drift[2];
  }
}

interface RetargetOptions {
  /** Multiplies expression displacements (1 = as the driver). */
  expressionScale?: number;
}

/**
 * Target landmark positions (xyz, image pixels) of the photo's face for one driver frame:
 * target = scale · R · (photo + expression − centre) + centre + translation · size.
 */
export function retargetLandmarks(photo: PhotoFaceGeometry, frame: MotionFrame, driverAxes: ArrayLike<number>, options: RetargetOptions = {}, out?: Float32Array): Float32Array {
  const { landmarks, centre, size } = photo;
  const k = (options.expressionScale ?? 1) * size;
  const m = expressionFrame(photo.axes, driverAxes);
  const shape = out ?? new Float32Array(landmarks.length);
  const e = frame.expression;
  // Hot loop (3 × 478 points per frame): rotations written out instead of rotate3's tuples.
  for (let j = 0; j < landmarks.length; j += 3) {
    const ex = e[j] * k;
    const ey = e[j + 1] * k;
    const ez = e[j + 2] * k;
    shape[j] = landmarks[j] + m[0] * ex + m[1] * ey + m[2] * ez;
    shape[j + 1] = landmarks[j + 1] + m[3] * ex + m[4] * ey + m[5] * ez;
    shape[j + 2] = landmarks[j + 2] + m[6] * ex + m[7] * ey + m[8] * ez;
  }
  for (const [i, eye] of photo.eyes.entries()) placeEye(shape, landmarks, eye, frame.eyes[i], frame.gaze, i * 2);
  const s = frame.scale;
  const r = frame.rotation;
  const tx = centre[0] + frame.translation[0] * size;
  const ty = centre[1] + frame.translation[1] * size;
  const tz = centre[2] + frame.translation[2] * size;
  for (let j = 0; j < landmarks.length; j += 3) {
    const x = shape[j] - centre[0];
    const y = shape[j + 1] - centre[1];
    const z = shape[j + 2] - centre[2];
    shape[j] = s * (r[0] * x + r[1] * y + r[2] * z) + tx;
    shape[j + 1] = s * (r[3] * x + r[4] * y + r[5] * z) + ty;
    shape[j + 2] = s * (r[6] * x + r[7] * y + r[8] * z) + tz;
  }
  return shape;
}
