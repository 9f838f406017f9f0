// The per-frame motion a driving clip carries, relative to its first frame and normalised by face size,
// so it can be retargeted onto any photo. Data shape plus small accessors; extraction lives elsewhere.

export const MOTION_TRACK_VERSION = 1;

export interface MotionTrack {
  version: number;
  fps: number;
  frameCount: number;
  landmarkCount: number;
  /** Per frame, row-major 3×3 head rotation relative to frame 0: [F·9]. */
  rotations: Float32Array;
  /** Per frame, head scale relative to frame 0: [F]. */
  scales: Float32Array;
  /** Per frame, head-centre shift from frame 0 divided by the frame-0 face size: [F·3]. */
  translations: Float32Array;
  /** Per frame and landmark, expression displacement in the frame-0 head pose, divided by face size: [F·N·3]. */
  expressions: Float32Array;
  /** Per frame, the driver's absolute head pose (yaw, pitch, roll in degrees), for evaluation: [F·3]. */
  poses: Float32Array;
  /** Per frame, 1 where the face was seen, 0 where values were carried over from a neighbour: [F]. */
  found: Uint8Array;
}

export interface MotionFrame {
  rotation: Float32Array;
  scale: number;
  translation: Float32Array;
  expression: Float32Array;
}

export function motionFrame(track: MotionTrack, index: number): MotionFrame {
  const n = track.landmarkCount * 3;
  return {
    rotation: track.rotations.subarray(index * 9, index * 9 + 9),
    scale: track.scales[index],
    translation: track.translations.subarray(index * 3, index * 3 + 3),
    expression: track.expressions.subarray(index * n, index * n + n),
  };
}
