import { describe, expect, it } from 'vitest';
import { MESH_POINTS } from '../../../../src/pipeline/motion/face-regions.ts';
import { allocateTrack, MOTION_TRACK_VERSION, type MotionTrack, TRACK_ARRAY_FIELDS } from '../../../../src/pipeline/motion/motion-track.ts';
import { eulerDegToRotation } from '../../../../src/pipeline/motion/rigid-fit.ts';
import { decodeMotionTrack, encodedTrackKey, encodeMotionTrack } from '../../../../src/pipeline/motion/track-codec.ts';

/** 48 frames of smooth head motion and expression with a little jitter, like an analysed clip. */
function analysedLike(): MotionTrack {
  const track = allocateTrack(48, MESH_POINTS, 12);
  let state = 7;
  const noise = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
  for (let i = 0; i < 48; i++) {
    track.rotations.set(eulerDegToRotation(20 * Math.sin(i / 8), 5 * Math.sin(i / 5), 3 * Math.cos(i / 7)), i * 9);
    track.scales[i] = 1 + 0.05 * Math.sin(i / 9);
    track.translations.set([0.2 * Math.sin(i / 10), 0.1 * Math.cos(i / 6), 0], i * 3);
    for (let k = 0; k < MESH_POINTS * 3; k++) track.expressions[i * MESH_POINTS * 3 + k] = 0.1 * Math.sin(i / 6 + k) + 0.002 * noise();
    track.eyes.set([1 - 0.9 * Number(i === 20), 1 - 0.9 * Number(i === 20)], i * 2);
    track.gaze.set([0.1 * Math.sin(i / 4), 0, 0.1 * Math.sin(i / 4), 0], i * 4);
    track.poses.set([i, -i, i / 2], i * 3);
    track.found[i] = i % 7 === 0 ? 0 : 1;
  }
  return track;
}

describe('motion track bytes', () => {
  it('round-trips every field exactly for the cache', () => {
    const track = analysedLike();
    const decoded = decodeMotionTrack(encodeMotionTrack(track));
    for (const field of TRACK_ARRAY_FIELDS) expect(Array.from(decoded[field]), field).toEqual(Array.from(track[field]));
    expect(Array.from(decoded.referenceAxes)).toEqual(Array.from(track.referenceAxes));
    expect([decoded.fps, decoded.frameCount, decoded.landmarkCount, decoded.version]).toEqual([12, 48, MESH_POINTS, MOTION_TRACK_VERSION]);
  });

  it('ships a compact track over 3× smaller, within 1/8000 of a face size of the exact one', () => {
    const track = analysedLike();
    const exact = encodeMotionTrack(track);
    const compact = encodeMotionTrack(track, { compact: true, key: 'abc' });
    expect(compact.length * 3).toBeLessThan(exact.length);
    const decoded = decodeMotionTrack(compact);
    let worst = 0;
    for (let k = 0; k < track.expressions.length; k++) worst = Math.max(worst, Math.abs(decoded.expressions[k] - track.expressions[k]));
    expect(worst).toBeLessThanOrEqual(1 / 8000);
    expect(Array.from(decoded.rotations)).toEqual(Array.from(track.rotations));
    expect(Array.from(decoded.found)).toEqual(Array.from(track.found));
    expect(encodedTrackKey(compact)).toBe('abc');
  });

  it('refuses a track of another analyser version and a truncated file', () => {
    const stale = encodeMotionTrack({ ...analysedLike(), version: MOTION_TRACK_VERSION - 1 });
    expect(() => decodeMotionTrack(stale)).toThrow(/version/);
    const bytes = encodeMotionTrack(analysedLike());
    expect(() => decodeMotionTrack(bytes.subarray(0, bytes.length - 100))).toThrow(/truncated/);
    expect(() => decodeMotionTrack(Buffer.from('not a track'))).toThrow(/not a motion track/);
  });
});
