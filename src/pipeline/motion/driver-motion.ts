// Gets the MotionTrack of a driving clip: from the on-disk cache when this clip and these settings were analysed
// before, else by tracking the face frame by frame on frames the caller decodes (once, for every analysis).
import type { FaceAnalyzer } from '../face/face-analyzer.ts';
import { decodeVideo, type RateConversion } from '../media/video.ts';
import type { FrameSequence, RunOptions } from '../types.ts';
import { extractMotion } from './extract-motion.ts';
import type { MotionCache } from './motion-cache.ts';
import { motionCacheKey } from './motion-cache.ts';
import type { MotionTrack } from './motion-track.ts';

/** Drivers are analysed at this size: enough for landmarks, cheap to decode. */
const ANALYSIS_MAX_SIDE = 512;

export interface DriverClip {
  path: string;
  fps: number;
  /** How frames are picked for `fps` (default 'fps-filter'). */
  rateConversion?: RateConversion;
  startSec?: number;
  endSec?: number;
  /** Caps for user clips (templates are trusted and trimmed). */
  maxDurationSec?: number;
  maxFrames?: number;
}

interface DriverMotionDeps {
  faces: FaceAnalyzer;
  cache: MotionCache;
}

/** The clip's frames at its rate and span, at most `maxSide` px, within its caps. */
export function decodeDriver(clip: DriverClip, maxSide: number, signal?: AbortSignal): Promise<FrameSequence> {
  const { fps, rateConversion, startSec, endSec, maxDurationSec, maxFrames } = clip;
  return decodeVideo(clip.path, { fps, rateConversion, maxSide, startSec, endSec, maxDurationSec, maxFrames, signal });
}

/** MediaPipe tracking of decoded frames into a MotionTrack (progress 0.2 → 1 of the motion stage). */
export async function trackMotion(frames: FrameSequence, faces: FaceAnalyzer, run: RunOptions = {}): Promise<MotionTrack> {
  run.onProgress?.({ stage: 'motion', fraction: 0.2, overall: 0 });
  const tracked = await faces.trackSequence(frames, {
    signal: run.signal,
    onProgress: (fraction: number) => run.onProgress?.({ stage: 'motion', fraction: 0.2 + 0.8 * fraction, overall: 0 }),
  });
  return extractMotion(tracked, frames.fps);
}

/**
 * The clip's motion track from the cache, else tracked on `decode(ANALYSIS_MAX_SIDE)` and cached. `decode` lets
 * the caller share one decode between analyses; by default the clip is decoded here.
 */
export async function loadDriverMotion(clip: DriverClip, deps: DriverMotionDeps, run: RunOptions = {}, decode: (maxSide: number) => Promise<FrameSequence> = (side) => decodeDriver(clip, side, run.signal)): Promise<MotionTrack> {
  // The rate conversion joins the key only when it is not the default, so tracks cached before it existed still hit.
  const conversion = clip.rateConversion && clip.rateConversion !== 'fps-filter' ? { rateConversion: clip.rateConversion } : {};
  const settings = { fps: clip.fps, ...conversion, startSec: clip.startSec ?? 0, endSec: clip.endSec ?? null, side: ANALYSIS_MAX_SIDE };
  const key = await motionCacheKey(clip.path, settings);
  const cached = await deps.cache.get(key);
  if (cached) return cached;
  const track = await trackMotion(await decode(ANALYSIS_MAX_SIDE), deps.faces, run);
  await deps.cache.put(key, track);
  return track;
}
