// Turns per-frame face analyses of a driving clip into a MotionTrack: rigid head motion relative to the
// first face, expression as landmark displacement in that first pose, normalised by face size, and the eyes.
import { InputError } from '../../errors.ts';
import type { Face } from '../types.ts';
import { RIGID_POINTS } from './face-regions.ts';
import { rebaseMouth } from './mouth-baseline.ts';
import { faceAxes } from '../face/head-pose.ts';
import { extractEyeMotion } from './eye-motion.ts';
import { cleanExpressions } from './expression-cleanup.ts';
import { allocateTrack, type MotionTrack, pickFrames, TRACK_ARRAY_FIELDS, valuesPerFrame } from './motion-track.ts';
import { faceSize } from './face-signals.ts';
import { fitSimilarity3, rotate3Transposed } from './rigid-fit.ts';

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

/** Frame `to` (no face) takes frame `from`'s values; it stays marked as not found. */
function copyFrame(track: MotionTrack, from: number, to: number): void {
  for (const field of TRACK_ARRAY_FIELDS) {
    if (field === 'found') continue;
    const k = valuesPerFrame(field, track.landmarkCount);
    track[field].copyWithin(to * k, from * k, from * k + k);
  }
}

/**
 * Builds the track from smoothed faces: head motion and expression relative to the first face, the mouth
 * re-based by mouth-baseline.ts, the eyes from the unsmoothed `rawFaces` (eye-motion.ts; default: `faces`); the
 * turn's leftovers taken out of the expression (expression-cleanup.ts, mirroring with the mesh's `mirror` map).
 * Frames without a face copy their nearest earlier (or, at the start, later) neighbour.
 */
export function extractMotion(faces: (Face | null)[], fps: number, rawFaces: (Face | null)[] = faces, mirror?: ArrayLike<number>): MotionTrack {
  const firstIndex = faces.findIndex((f) => f !== null);
  if (firstIndex < 0) throw new InputError('NO_FACE', 'no face found in the driving clip', { where: 'driver' });
  const reference = faces[firstIndex]!;
  const size = faceSize(reference.landmarks);
  const track = allocateTrack(faces.length, reference.landmarks.length / 3, fps);
  track.referenceAxes.set(faceAxes(reference.landmarks));
  faces.forEach((face, i) => {
    if (face && face.landmarks.length === reference.landmarks.length) writeFrame(track, i, reference, size, face);
  });
  const eyes = extractEyeMotion(rawFaces, faces);
  track.eyes.set(eyes.eyes);
  track.gaze.set(eyes.gaze);
  for (let i = 0; i < faces.length; i++) {
    if (track.found[i]) continue;
    copyFrame(track, i > firstIndex ? i - 1 : firstIndex, i);
  }
  cleanExpressions(track, reference.landmarks, size, mirror);
  rebaseMouth(track, reference.landmarks, size);
  return track;
}

/** Resamples a track to another frame rate by nearest frame (motion is smooth at these rates). */
export function resampleMotion(track: MotionTrack, fps: number): MotionTrack {
  if (Math.abs(fps - track.fps) < 1e-6) return track;
  const frameCount = Math.max(1, Math.round((track.frameCount / track.fps) * fps));
  return pickFrames(track, frameCount, fps, (i) => Math.min(track.frameCount - 1, Math.round((i / fps) * track.fps)));
}
