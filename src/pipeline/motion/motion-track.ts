// The per-frame motion a driving clip carries, relative to its first frame and normalised by face size,
// so it can be retargeted onto any photo. Data shape plus small accessors; extraction lives elsewhere.
import type { DriverMouths } from './driver-mouths.ts';

/**
 * The analyser's version: bump it whenever extraction changes what a track holds (shipped tracks follow it).
 * 4: expression without the turn's leftovers (expression-cleanup.ts) and the driver's mouth crops (driver-mouths.ts).
 * 5: the far side mirrored with a share that changes smoothly across the midline (no seam down the face).
 */
export const MOTION_TRACK_VERSION = 5;

export interface MotionTrack {
  version: number;
  fps: number;
  frameCount: number;
  landmarkCount: number;
  /** The driver's first face's head axes (row-major 3×3, columns x, y, z of head-pose.ts' face frame). */
  referenceAxes: Float32Array;
  /** Per frame, row-major 3×3 head rotation relative to frame 0: [F·9]. */
  rotations: Float32Array;
  /** Per frame, head scale relative to frame 0: [F]. */
  scales: Float32Array;
  /** Per frame, head-centre shift from frame 0 divided by the frame-0 face size: [F·3]. */
  translations: Float32Array;
  /** Per frame and landmark, expression displacement in the frame-0 head pose, divided by face size: [F·N·3]. */
  expressions: Float32Array;
  /**
   * Per frame, each eye's openness over its usual openness (image-left eye, image-right eye): 1 as usual,
   * 0 shut, above 1 wide. A blink of both eyes is the same in both: [F·2].
   */
  eyes: Float32Array;
  /** Per frame, each eye's iris shift from its usual place, in eye widths [along, across] × 2 eyes: [F·4]. */
  gaze: Float32Array;
  /** Per frame, the driver's absolute head pose (yaw, pitch, roll in degrees), for evaluation: [F·3]. */
  poses: Float32Array;
  /** Per frame, 1 where the face was seen, 0 where values were carried over from a neighbour: [F]. */
  found: Uint8Array;
  /** The driver's mouth interior per frame (driver-mouths.ts); absent on synthetic tracks. */
  mouths?: DriverMouths;
}

/** The per-frame arrays of a track and how many values each frame has in them (N = landmarkCount). */
export type TrackArrayField = 'rotations' | 'scales' | 'translations' | 'expressions' | 'eyes' | 'gaze' | 'poses' | 'found';
export function valuesPerFrame(field: TrackArrayField, landmarkCount: number): number {
  return { rotations: 9, scales: 1, translations: 3, expressions: landmarkCount * 3, eyes: 2, gaze: 4, poses: 3, found: 1 }[field];
}
export const TRACK_ARRAY_FIELDS: readonly TrackArrayField[] = ['rotations', 'scales', 'translations', 'expressions', 'eyes', 'gaze', 'poses', 'found'];

export interface MotionFrame {
  rotation: Float32Array;
  scale: number;
  translation: Float32Array;
  expression: Float32Array;
  /** Openness ratio per eye (see MotionTrack.eyes). */
  eyes: Float32Array;
  /** Iris shift per eye (see MotionTrack.gaze). */
  gaze: Float32Array;
  /** Which crop of the track's mouth atlas shows this frame's mouth interior; -1 for none (closed, or no atlas). */
  mouthCrop: number;
}

export function motionFrame(track: MotionTrack, index: number): MotionFrame {
  const n = track.landmarkCount * 3;
  return {
    rotation: track.rotations.subarray(index * 9, index * 9 + 9),
    scale: track.scales[index],
    translation: track.translations.subarray(index * 3, index * 3 + 3),
    expression: track.expressions.subarray(index * n, index * n + n),
    eyes: track.eyes.subarray(index * 2, index * 2 + 2),
    gaze: track.gaze.subarray(index * 4, index * 4 + 4),
    mouthCrop: track.mouths?.cropOf[index] ?? -1,
  };
}

/** An empty track of `frameCount` frames: identity rotations, unit scales, eyes as usual, nothing found. */
export function allocateTrack(frameCount: number, landmarkCount: number, fps: number): MotionTrack {
  const track: MotionTrack = {
    version: MOTION_TRACK_VERSION,
    fps,
    frameCount,
    landmarkCount,
    referenceAxes: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
    rotations: new Float32Array(frameCount * 9),
    scales: new Float32Array(frameCount).fill(1),
    translations: new Float32Array(frameCount * 3),
    expressions: new Float32Array(frameCount * landmarkCount * 3),
    eyes: new Float32Array(frameCount * 2).fill(1),
    gaze: new Float32Array(frameCount * 4),
    poses: new Float32Array(frameCount * 3),
    found: new Uint8Array(frameCount),
  };
  for (let i = 0; i < frameCount; i++) track.rotations.set([1, 0, 0, 0, 1, 0, 0, 0, 1], i * 9);
  return track;
}

/** A new track whose frame i is the source's frame pick(i) (resampling, offsets). */
export function pickFrames(track: MotionTrack, frameCount: number, fps: number, pick: (index: number) => number): MotionTrack {
  const out = allocateTrack(frameCount, track.landmarkCount, fps);
  out.referenceAxes.set(track.referenceAxes);
  for (let i = 0; i < frameCount; i++) {
    const src = pick(i);
    for (const field of TRACK_ARRAY_FIELDS) {
      const k = valuesPerFrame(field, track.landmarkCount);
      out[field].set(track[field].subarray(src * k, src * k + k), i * k);
    }
  }
  const mouths = track.mouths;
  if (mouths) out.mouths = { ...mouths, cropOf: Int16Array.from({ length: frameCount }, (_, i) => mouths.cropOf[pick(i)]) };
  return out;
}
