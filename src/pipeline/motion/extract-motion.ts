// Turns per-frame face analyses of a driving clip into a MotionTrack: rigid head motion relative to the
// first face, and expression as landmark displacement in that first pose, normalised by face size.
import { InputError } from '../../errors.ts';
import type { Face } from '../types.ts';
import { RIGID_POINTS } from './face-regions.ts';
import { rebaseMouth } from './mouth-baseline.ts';
import { MOTION_TRACK_VERSION, type MotionTrack } from './motion-track.ts';
import { centroid3, fitSimilarity3, rotate3Transposed } from './rigid-fit.ts';

/** RMS distance of the rigid points from their centroid: a rotation-invariant face size in pixels. */
export function faceSize(landmarks: Float32Array): number {
  const [cx, cy, cz] = centroid3(landmarks, RIGID_POINTS);
  let sum = 0;
  for (const i of RIGID_POINTS) {
    sum += (landmarks[i * 3] - cx) ** 2 + (landmarks[i * 3 + 1] - cy) ** 2 + (landmarks[i * 3 + 2] - cz) ** 2;
  }
  return Math.sqrt(sum / RIGID_POINTS.length);
}

function allocate(frameCount: number, landmarkCount: number, fps: number): MotionTrack {
  return {
    version: MOTION_TRACK_VERSION,
    fps,
    frameCount,
    landmarkCount,
    rotations: new Float32Array(frameCount * 9),
    scales: new Float32Array(frameCount),
    translations: new Float32Array(frameCount * 3),
    expressions: new Float32Array(frameCount * landmarkCount * 3),
    poses: new Float32Array(frameCount * 3),
    found: new Uint8Array(frameCount),
  };
}

function writeFrame(track: MotionTrack, index: number, reference: Face, size: number, face: Face): void {
  const n = track.landmarkCount;
  const fit = fitSimilarity3(reference.landmarks, face.landmarks, RIGID_POINTS);
  track.rotations.set(fit.rotation, index * 9);
  track.scales[index] = fit.scale;
  for (let k = 0; k < 3; k++) track.translations[index * 3 + k] = (fit.targetCentroid[k] - fit.sourceCentroid[k]) / size;
  const base = index * n * 3;
  const [tx, ty, tz] = fit.targetCentroid;
  const [sx, sy, sz] = fit.sourceCentroid;
  for (let j = 0; j < n; j++) {
    const l = face.landmarks;
    // Undo the head motion: back into the reference pose, then compare with the reference landmarks.
    const [x, y, z] = rotate3Transposed(fit.rotation, l[j * 3] - tx, l[j * 3 + 1] - ty, l[j * 3 + 2] - tz);
    const r = reference.landmarks;
    track.expressions[base + j * 3] = (x / fit.scale + sx - r[j * 3]) / size;
    track.expressions[base + j * 3 + 1] = (y / fit.scale + sy - r[j * 3 + 1]) / size;
    track.expressions[base + j * 3 + 2] = (z / fit.scale + sz - r[j * 3 + 2]) / size;
  }
  track.poses.set([face.pose.yaw, face.pose.pitch, face.pose.roll], index * 3);
  track.found[index] = 1;
}

function copyFrame(track: MotionTrack, from: number, to: number): void {
  const n = track.landmarkCount * 3;
  track.rotations.copyWithin(to * 9, from * 9, from * 9 + 9);
  track.scales[to] = track.scales[from];
  track.translations.copyWithin(to * 3, from * 3, from * 3 + 3);
  track.expressions.copyWithin(to * n, from * n, from * n + n);
  track.poses.copyWithin(to * 3, from * 3, from * 3 + 3);
}

/**
 * Builds the track: head motion and expression relative to the first face, the mouth re-based by
 * mouth-baseline.ts.
 * Frames without a face copy their nearest earlier (or, at the start, later) neighbour.
 */
export function extractMotion(faces: (Face | null)[], fps: number): MotionTrack {
  const firstIndex = faces.findIndex((f) => f !== null);
  if (firstIndex < 0) throw new InputError('NO_FACE', 'no face found in the driving clip', { where: 'driver' });
  const reference = faces[firstIndex]!;
  const size = faceSize(reference.landmarks);
  const track = allocate(faces.length, reference.landmarks.length / 3, fps);
  faces.forEach((face, i) => {
    if (face && face.landmarks.length === reference.landmarks.length) writeFrame(track, i, reference, size, face);
  });
  for (let i = 0; i < faces.length; i++) {
    if (track.found[i]) continue;
    copyFrame(track, i > firstIndex ? i - 1 : firstIndex, i);
  }
  rebaseMouth(track, reference.landmarks, size);
  return track;
}

/** Resamples a track to another frame rate by nearest frame (motion is smooth at these rates). */
export function resampleMotion(track: MotionTrack, fps: number): MotionTrack {
  if (Math.abs(fps - track.fps) < 1e-6) return track;
  const frameCount = Math.max(1, Math.round((track.frameCount / track.fps) * fps));
  const out = allocate(frameCount, track.landmarkCount, fps);
  const n = track.landmarkCount * 3;
  for (let i = 0; i < frameCount; i++) {
    const src = Math.min(track.frameCount - 1, Math.round((i / fps) * track.fps));
    out.rotations.set(track.rotations.subarray(src * 9, src * 9 + 9), i * 9);
    out.scales[i] = track.scales[src];
    out.translations.set(track.translations.subarray(src * 3, src * 3 + 3), i * 3);
    out.expressions.set(track.expressions.subarray(src * n, src * n + n), i * n);
    out.poses.set(track.poses.subarray(src * 3, src * 3 + 3), i * 3);
    out.found[i] = track.found[src];
  }
  return out;
}
