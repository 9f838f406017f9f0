// Gets the MotionTrack of a driving clip: from the on-disk cache when this clip and these settings were
// analysed before, else by decoding the clip, tracking the face frame by frame and extracting motion.
import type { FaceAnalyzer } from '../face/face-analyzer.ts';
import { decodeVideo } from '../media/video.ts';
import type { RunOptions } from '../types.ts';
import { extractMotion } from './extract-motion.ts';
import type { MotionCache } from './motion-cache.ts';
import { motionCacheKey } from './motion-cache.ts';
import type { MotionTrack } from './motion-track.ts';

/** Drivers are analysed at this size: enough for landmarks, cheap to decode. */
const ANALYSIS_MAX_SIDE = 512;

export interface DriverClip {
  path: string;
  fps: number;
  startSec?: number;
  endSec?: number;
  /** Caps for user clips (templates are trusted and trimmed). */
  maxDurationSec?: number;
  maxFrames?: number;
}

export interface DriverMotionDeps {
  faces: FaceAnalyzer;
  cache: MotionCache;
}

export async function loadDriverMotion(clip: DriverClip, deps: DriverMotionDeps, run: RunOptions = {}): Promise<MotionTrack> {
  const settings = { fps: clip.fps, startSec: clip.startSec ?? 0, endSec: clip.endSec ?? null, side: ANALYSIS_MAX_SIDE };
  const key = await motionCacheKey(clip.path, settings);
  const cached = await deps.cache.get(key);
  if (cached) return cached;
  const frames = await decodeVideo(clip.path, {
    fps: clip.fps,
    maxSide: ANALYSIS_MAX_SIDE,
    startSec: clip.startSec,
    endSec: clip.endSec,
    maxDurationSec: clip.maxDurationSec,
    maxFrames: clip.maxFrames,
    signal: run.signal,
  });
  run.onProgress?.({ stage: 'motion', fraction: 0.2, overall: 0 });
  const faces = await deps.faces.trackSequence(frames, {
    signal: run.signal,
    onProgress: (fraction: number) => run.onProgress?.({ stage: 'motion', fraction: 0.2 + 0.8 * fraction, overall: 0 }),
  });
  const track = extractMotion(faces, frames.fps);
  await deps.cache.put(key, track);
  return track;
}
