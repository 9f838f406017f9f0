// Head pose (yaw, pitch, roll in degrees) from 3D face-mesh landmarks in image pixels. Pure math:
// no model calls, no image access.
import type { HeadPose } from '../types.ts';

/** MediaPipe face-mesh indices: forehead top, chin, cheek edge on the image's left / right for a frontal face. */
const FOREHEAD = 10;
const CHIN = 152;
const CHEEK_IMAGE_LEFT = 234;
const CHEEK_IMAGE_RIGHT = 454;

type Vec3 = [number, number, number];

function point(landmarks: Float32Array, index: number): Vec3 {
  const o = index * 3;
  return [landmarks[o], landmarks[o + 1], landmarks[o + 2]];
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: Vec3): Vec3 {
  const length = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / length, v[1] / length, v[2] / length];
}

const DEGREES_PER_RADIAN = 180 / Math.PI;

/**
 * Camera frame: x to the image's right, y down, z away from the camera (the landmarks' depth axis).
 * The face frame has x from the image-left cheek edge to the image-right one, y from forehead to chin,
 * z = x × y (into the face). Its rotation is decomposed as R = Rz(roll) · Ry(-yaw) · Rx(-pitch).
 *
 * Sign conventions (all in degrees, 0 for a frontal upright face):
 * - yaw > 0: the face turns towards the image's right (the nose moves right, the right cheek recedes).
 * - pitch > 0: the face tilts up (the chin comes forward, the forehead recedes).
 * - roll > 0: the face is rotated clockwise as seen in the image (the image-right eye is lower).
 * Mirroring the image left-right negates yaw and roll and keeps pitch.
 */
export function headPoseFromLandmarks(landmarks: Float32Array): HeadPose {
  return headPoseOfAxes(faceAxes(landmarks));
}

function faceAxisVectors(landmarks: Float32Array): [Vec3, Vec3, Vec3] {
  const yAxis = normalize(sub(point(landmarks, CHIN), point(landmarks, FOREHEAD)));
  const xRough = normalize(sub(point(landmarks, CHEEK_IMAGE_RIGHT), point(landmarks, CHEEK_IMAGE_LEFT)));
  const zAxis = normalize(cross(xRough, yAxis));
  // re-orthogonalise x so the three axes form a proper rotation matrix
  const xAxis = cross(yAxis, zAxis);
  return [xAxis, yAxis, zAxis];
}

/** The face frame's axes as the columns of a row-major 3×3 rotation (face coordinates → camera coordinates). */
export function faceAxes(landmarks: Float32Array): Float64Array {
  const [x, y, z] = faceAxisVectors(landmarks);
  return Float64Array.of(x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]);
}

/** The head pose of a face frame given by its axes (faceAxes' layout): the inverse of axesOfHeadPose. */
export function headPoseOfAxes(a: ArrayLike<number>): HeadPose {
  return {
    yaw: Math.asin(Math.max(-1, Math.min(1, a[6]))) * DEGREES_PER_RADIAN,
    pitch: -Math.atan2(a[7], a[8]) * DEGREES_PER_RADIAN,
    roll: Math.atan2(a[3], a[0]) * DEGREES_PER_RADIAN,
  };
}

/** The face frame's axes (faceAxes' layout) of a head pose: Rz(roll) · Ry(−yaw) · Rx(−pitch). */
export function axesOfHeadPose(pose: HeadPose): Float64Array {
  const [y, p, r] = [pose.yaw, pose.pitch, pose.roll].map((d) => d / DEGREES_PER_RADIAN);
  const cy = Math.cos(y), sy = Math.sin(y), cp = Math.cos(p), sp = Math.sin(p), cr = Math.cos(r), sr = Math.sin(r);
  // Ry(−yaw) · Rx(−pitch), then Rz(roll) in front.
  const m = [cy, sy * sp, -sy * cp, 0, cp, sp, sy, -cy * sp, cy * cp];
  return Float64Array.of(
    cr * m[0] - sr * m[3], cr * m[1] - sr * m[4], cr * m[2] - sr * m[5],
    sr * m[0] + cr * m[3], sr * m[1] + cr * m[4], sr * m[2] + cr * m[5],
    m[6], m[7], m[8],
  );
}
