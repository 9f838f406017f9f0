// HelloMeme's video face tracker (HelloCameraDemo) and its two-pass det_landmarks: tracks re-seeded by every
// detection, 3-iteration alignment, Smoother222, drop rules and IoU de-duplication. Models are passed in as functions.
import { InputError, throwIfAborted } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import { pointBounds } from '../point-bounds.ts';
import { type AlignedFace, alignFace, type LandmarkNet } from './alignment.ts';
import { LANDMARK_POINTS, rollFromPoints } from './landmarks-222.ts';
import { Smoother222 } from './smoother-222.ts';

const MIN_FACE_PX = 96;
const MIN_FACE_PROB = 1e-4;
const DEDUP_IOU = 0.12;

/** Returns face boxes [x0, y0, x1, y1] in frame pixels. */
type FaceDetectorFn = (frame: RgbImage) => Promise<number[][]>;

interface TrackedFace {
  rect: number[];
  /** smoothed 222 points of the last frame, null until the first alignment */
  points: Float64Array | null;
  faceDis: number;
  smoother: Smoother222;
  prob: number;
  pitchRad: number;
  yawRad: number;
  rollDeg: number;
}

const newTrack = (rect: readonly number[]): TrackedFace => ({
  rect: [...rect],
  points: null,
  faceDis: Math.hypot(rect[2] - rect[0], rect[3] - rect[1]),
  smoother: new Smoother222(),
  prob: 0,
  pitchRad: 0,
  yawRad: 0,
  rollDeg: 0,
});

/** IoU as the tracker computes it (no eps; 0 when the boxes do not overlap). */
export function trackIou(a: readonly number[], b: readonly number[]): number {
  const inter = Math.abs(Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0) * Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0));
  if (inter === 0) return 0;
  const areaA = Math.abs((a[2] - a[0]) * (a[3] - a[1]));
  const areaB = Math.abs((b[2] - b[0]) * (b[3] - b[1]));
  return inter / (areaA + areaB - inter);
}

const rectArea = (r: readonly number[]): number => (r[3] - r[1]) * (r[2] - r[0]);

/** Indices to delete: for overlapping pairs (IoU > 0.12) the smaller box goes; on a tie the later one. */
export function duplicateTracks(rects: readonly (readonly number[])[], alreadyDeleted: ReadonlySet<number>): Set<number> {
  const deleted = new Set(alreadyDeleted);
  if (rects.length < 2) return deleted;
  for (let i = 0; i < rects.length; i++) {
    if (deleted.has(i)) continue;
    // as in the reference, i keeps eliminating others even once it was itself marked in this inner loop
    for (let j = 0; j < rects.length; j++) {
      if (j === i || deleted.has(j)) continue;
      if (trackIou(rects[i], rects[j]) > DEDUP_IOU) deleted.add(rectArea(rects[i]) - rectArea(rects[j]) < 0 ? i : j);
    }
  }
  return deleted;
}

/** Updates a track from its new alignment; returns false when the track must be dropped. */
function updateTrack(track: TrackedFace, aligned: AlignedFace): boolean {
  if (aligned.prob < MIN_FACE_PROB) return false;
  const points = track.smoother.smooth(aligned.points, track.faceDis);
  track.points = points;
  const b = pointBounds(points, 2);
  const p0 = LANDMARK_POINTS.contourStart * 2;
  const p32 = LANDMARK_POINTS.contourEnd * 2;
  const pitchDeg = (aligned.pitchRad * 180) / Math.PI;
  const yawDeg = (aligned.yawRad * 180) / Math.PI;
  track.rect = [b.minX, b.minY, b.maxX, b.maxY];
  track.faceDis = Math.hypot(points[p0] - points[p32], points[p0 + 1] - points[p32 + 1]) * (1 + (Math.abs(pitchDeg) + Math.abs(yawDeg) * 0.6) / 18);
  track.rollDeg = (rollFromPoints(points) * 180) / Math.PI;
  track.prob = aligned.prob;
  track.pitchRad = aligned.pitchRad;
  track.yawRad = aligned.yawRad;
  return b.maxX - b.minX >= MIN_FACE_PX && b.maxY - b.minY >= MIN_FACE_PX;
}

/** One tracker (HelloCameraDemo): feed frames in order. */
export class HelloFaceTracker {
  private tracks: TrackedFace[] = [];

  constructor(
    private readonly detect: FaceDetectorFn,
    private readonly landmarkNet: LandmarkNet,
  ) {}

  reset(): void {
    this.tracks = [];
  }

  /** Tracks one frame; `seedRect` replaces the detector only when nothing is tracked. Returns the live tracks. */
  async track(frame: RgbImage, seedRect?: readonly number[]): Promise<readonly TrackedFace[]> {
    const rects = this.tracks.length === 0 && seedRect ? [seedRect] : await this.detect(frame);
    // every detection becomes a new track, even next to a tracked face (the reference does this; de-dup follows)
    for (const rect of rects) this.tracks.push(newTrack(rect));
    const deleted = new Set<number>();
    for (const [i, track] of this.tracks.entries()) {
      const seed = track.points ? { points: track.points } : { box: track.rect };
      if (!updateTrack(track, await alignFace(frame, this.landmarkNet, seed))) deleted.add(i);
    }
    const gone = duplicateTracks(
      this.tracks.map((t) => t.rect),
      deleted,
    );
    this.tracks = this.tracks.filter((_, i) => !gone.has(i));
    return this.tracks;
  }
}

const largest = (faces: readonly TrackedFace[]): TrackedFace | undefined =>
  faces.reduce<TrackedFace | undefined>((best, f) => (!best || rectArea(f.rect) >= rectArea(best.rect) ? f : best), undefined);

export interface VideoLandmarks {
  /** indices into the input frames that kept a face (frames without one are dropped, as in the reference) */
  frameIndices: number[];
  /** smoothed 222 points per kept frame, interleaved, frame pixels */
  points: Float64Array[];
}

/** det_landmarks: pass 1 finds the largest face per frame, pass 2 re-tracks the kept frames seeded by frame 0's rect. */
export async function detectVideoLandmarks(frames: readonly RgbImage[], tracker: HelloFaceTracker, signal?: AbortSignal): Promise<VideoLandmarks> {
  if (frames.length === 0) throw new InputError('NO_FACE', 'no frames to analyse');
  const kept: { index: number; rect: number[] }[] = [];
  tracker.reset();
  for (const [index, frame] of frames.entries()) {
    throwIfAborted(signal);
    const face = largest(await tracker.track(frame));
    if (face) kept.push({ index, rect: face.rect });
  }
  if (kept.length === 0) throw new InputError('NO_FACE', `no face of at least ${MIN_FACE_PX} px found in ${frames.length} frame(s)`);
  tracker.reset();
  const result: VideoLandmarks = { frameIndices: [], points: [] };
  for (const { index, rect } of kept) {
    throwIfAborted(signal);
    const face = largest(await tracker.track(frames[index], rect));
    if (face?.points) {
      result.frameIndices.push(index);
      result.points.push(face.points);
    }
  }
  tracker.reset();
  if (result.points.length === 0) throw new InputError('NO_FACE', 'the face was lost when re-tracking');
  return result;
}
