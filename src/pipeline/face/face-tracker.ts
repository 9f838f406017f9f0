// Per-frame face analysis of a driving clip: human's video mode re-uses the last mesh box instead of
// running the detector on every frame, then One-Euro smooths each run of landmarks. Photos live elsewhere.
import { InputError, throwIfAborted } from '../../errors.ts';
import type { Face, FrameSequence, RgbImage } from '../types.ts';
import { buildDetectionInput } from './detection-input.ts';
import { byLargestBox, landmarkBox, toFace } from './face-convert.ts';
import { headPoseFromLandmarks } from './head-pose.ts';
import { callConfig, type HumanRuntime, runHuman } from './human-runtime.ts';
import { LANDMARK_SMOOTHING, type OneEuroParams, smoothTrack } from './one-euro.ts';

export interface TrackOptions {
  /** One-Euro parameters for the landmark tracks, or false for raw per-frame landmarks. */
  smoothing?: Partial<OneEuroParams> | false;
  signal?: AbortSignal;
  /** Called after each frame with the fraction of frames done (0..1). */
  onProgress?: (fraction: number) => void;
}

function assertFrames(frames: FrameSequence): void {
  const frameBytes = frames.width * frames.height * 3;
  const ok =
    Number.isInteger(frames.width) &&
    Number.isInteger(frames.height) &&
    frameBytes > 0 &&
    frames.fps > 0 &&
    frames.frames.every((f) => f.length === frameBytes);
  if (!ok) throw new InputError('NOT_A_VIDEO', 'frames must be RGB buffers of width * height * 3 bytes at fps > 0', { width: frames.width, height: frames.height, fps: frames.fps });
}

/** Rebuilds the faces of one unbroken run from smoothed landmarks (box and pose follow the landmarks). */
function smoothRun(run: Face[], fps: number, params: Partial<OneEuroParams>, width: number, height: number): Face[] {
  const smoothed = smoothTrack(run.map((f) => f.landmarks), fps, params);
  return run.map((face, i) => ({
    box: landmarkBox(smoothed[i], width, height),
    score: face.score,
    landmarks: smoothed[i],
    pose: headPoseFromLandmarks(smoothed[i]),
  }));
}

/** Smooths every maximal run of consecutive frames with a face; the filter restarts after a gap. */
export function smoothFaceTrack(faces: (Face | null)[], fps: number, params: Partial<OneEuroParams>, width: number, height: number): (Face | null)[] {
  const out: (Face | null)[] = faces.slice();
  let start = 0;
  while (start < faces.length) {
    if (faces[start] === null) {
      start++;
      continue;
    }
    let end = start;
    while (end < faces.length && faces[end] !== null) end++;
    const run = smoothRun(faces.slice(start, end) as Face[], fps, params, width, height);
    out.splice(start, run.length, ...run);
    start = end;
  }
  return out;
}

/** Video-mode pass first (a margin, as for photos); an unpadded fresh detection only when it finds nothing. */
const FRAME_PASSES = [
  { padFraction: 0.3, mode: 'video' },
  { padFraction: 0, mode: 'still' },
] as const;

async function analyzeFrame(runtime: HumanRuntime, image: RgbImage, freshStart: boolean): Promise<Face | null> {
  for (const pass of FRAME_PASSES) {
    const input = buildDetectionInput(runtime.tf, image, pass);
    try {
      // a fresh start never reuses a box human cached during an earlier call
      const mode = freshStart ? 'still' : pass.mode;
      const results = await runHuman(runtime, input.tensor, callConfig(mode, 1));
      const found = results.map((r) => toFace(r, input.width, input.map)).filter((f): f is Face => f !== null);
      if (found.length > 0) return found.sort(byLargestBox)[0];
    } finally {
      runtime.tf.dispose(input.tensor);
    }
  }
  return null;
}

export async function trackFrames(runtime: HumanRuntime, frames: FrameSequence, options: TrackOptions = {}): Promise<(Face | null)[]> {
  assertFrames(frames);
  const faces: (Face | null)[] = [];
  for (let i = 0; i < frames.frames.length; i++) {
    throwIfAborted(options.signal);
    const image = { width: frames.width, height: frames.height, data: frames.frames[i] };
    faces.push(await analyzeFrame(runtime, image, i === 0));
    options.onProgress?.((i + 1) / frames.frames.length);
  }
  if (options.smoothing === false) return faces;
  return smoothFaceTrack(faces, frames.fps, { ...LANDMARK_SMOOTHING, ...options.smoothing }, frames.width, frames.height);
}
