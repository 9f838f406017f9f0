// Plain data shapes shared by the pipeline stages: images, frames, faces, progress.
// No behaviour here; each stage owns its own logic.

/** An 8-bit RGB image, row-major, 3 bytes per pixel (`data.length === width * height * 3`). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A clip of equally sized RGB frames. */
export interface FrameSequence {
  width: number;
  height: number;
  fps: number;
  frames: Uint8Array[];
}

/** Head rotation in degrees: yaw (left/right), pitch (up/down), roll (in-plane tilt). */
export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One analysed face. Landmarks are MediaPipe face-mesh order (478 with iris), in image pixels. */
export interface Face {
  box: Box;
  score: number;
  /** [x0, y0, z0, x1, y1, z1, ...]; z is relative depth in the same pixel scale (smaller = nearer). */
  landmarks: Float32Array;
  pose: HeadPose;
}

export type OutputFormat = 'gif' | 'mp4' | 'webm';

/**
 * What the receiving end requires of the picture beyond its container and byte budget, given as data by whoever
 * knows the receiver (a chat adapter): the longest side scaled to exactly `longSide` pixels (up or down; the
 * budget ladder then keeps the size), at most `maxSeconds` from the start and at most `maxFps` frames a second.
 */
export interface OutputFit {
  longSide?: number;
  maxSeconds?: number;
  maxFps?: number;
}

export type StageName = 'decode' | 'face' | 'motion' | 'engine' | 'captions' | 'encode';

export interface Progress {
  stage: StageName;
  /** 0..1 within the stage. */
  fraction: number;
  /** 0..1 over the whole job. */
  overall: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}
