// Gets the MotionTrack of a driving clip: from the motion cache when this clip and these settings were analysed
// before, else the track shipped with a built-in template when this analyser made it from this very clip, else by
// tracking the face frame by frame on frames the caller decodes (once, for every analysis) and extracting motion.
import { readFile } from 'node:fs/promises';
import type { TemplateInfo } from '../../templates/template-types.ts';
import type { FaceAnalyzer } from '../face/face-analyzer.ts';
import { smoothFaceTrack } from '../face/face-tracker.ts';
import { LANDMARK_SMOOTHING } from '../face/one-euro.ts';
import { decodeVideo, type RateConversion } from '../media/video.ts';
import type { FrameSequence, RunOptions } from '../types.ts';
import { extractDriverMouths } from './driver-mouths.ts';
import { extractMotion, resampleMotion } from './extract-motion.ts';
import type { MotionCache } from './motion-cache.ts';
import { motionCacheKey } from './motion-cache.ts';
import type { MotionTrack } from './motion-track.ts';
import { decodeMotionTrack, encodedTrackKey } from './track-codec.ts';

/** Drivers are analysed at this size: enough for landmarks, cheap to decode. */
export const ANALYSIS_MAX_SIDE = 512;

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
  /** A track shipped beside a built-in template's clip (scripts/make-template-motion.ts writes it). */
  shippedTrackPath?: string;
}

/** The rate a driver is read at and how its frames are picked; a template's own rate by default. */
interface DriverRate {
  fps?: number;
  rateConversion?: RateConversion;
}

/**
 * A built-in template's clip as the motion stage reads it, at the request's rate (default: the template's own).
 * The shipped track was made at the template's own rate; it serves any rate picked the default way (resampled).
 */
export function templateDriverClip(template: TemplateInfo, rate: DriverRate = {}): DriverClip {
  const { startSec, endSec } = template.trim;
  const fps = rate.fps ?? template.fps;
  return { path: template.clipPath, fps, rateConversion: rate.rateConversion, startSec, endSec, maxDurationSec: endSec - startSec + 1, shippedTrackPath: template.motionPath };
}

interface DriverMotionDeps {
  faces: FaceAnalyzer;
  cache: MotionCache;
}

/** The key a clip's analysis is known by: its bytes, the analysis settings and the analyser's version. */
export function driverMotionKey(clip: DriverClip): Promise<string> {
  // The rate conversion joins the key only when it is not the default, so tracks cached (or shipped) before it
  // existed still hit.
  const conversion = clip.rateConversion && clip.rateConversion !== 'fps-filter' ? { rateConversion: clip.rateConversion } : {};
  return motionCacheKey(clip.path, { fps: clip.fps, ...conversion, startSec: clip.startSec ?? 0, endSec: clip.endSec ?? null, side: ANALYSIS_MAX_SIDE });
}

/**
 * The shipped track when it belongs to this clip and this analyser version: as shipped when it was made at these
 * settings; resampled to the clip's rate when only the rate differs and frames are picked the default way (the
 * nearest frame, as that analysis would decode); else null.
 */
async function shippedTrack(clip: DriverClip, key: string): Promise<MotionTrack | null> {
  if (!clip.shippedTrackPath) return null;
  try {
    const bytes = await readFile(clip.shippedTrackPath);
    const shippedKey = encodedTrackKey(bytes);
    if (shippedKey === key) return decodeMotionTrack(bytes);
    if (clip.rateConversion && clip.rateConversion !== 'fps-filter') return null;
    const track = decodeMotionTrack(bytes);
    return shippedKey === (await driverMotionKey({ ...clip, fps: track.fps })) ? resampleMotion(track, clip.fps) : null;
  } catch {
    return null; // missing, unreadable or of another analyser version: analyse as for any clip
  }
}

/** The clip's frames at its rate and span, at most `maxSide` px, within its caps. */
export function decodeDriver(clip: DriverClip, maxSide: number, signal?: AbortSignal): Promise<FrameSequence> {
  const { fps, rateConversion, startSec, endSec, maxDurationSec, maxFrames } = clip;
  return decodeVideo(clip.path, { fps, rateConversion, maxSide, startSec, endSec, maxDurationSec, maxFrames, signal });
}

/**
 * MediaPipe tracking of decoded frames, then their motion extracted: the analysis a cache or a shipped track
 * saves (progress 0.2 → 1 of the motion stage).
 */
export async function analyseDriverMotion(frames: FrameSequence, faces: FaceAnalyzer, run: RunOptions = {}): Promise<MotionTrack> {
  run.onProgress?.({ stage: 'motion', fraction: 0.2, overall: 0 });
  const raw = await faces.trackSequence(frames, {
    smoothing: false,
    signal: run.signal,
    onProgress: (fraction: number) => run.onProgress?.({ stage: 'motion', fraction: 0.2 + 0.8 * fraction, overall: 0 }),
  });
  // Head and expression from smoothed landmarks; the lids from the raw ones (a blink lasts a frame or two).
  const smoothed = smoothFaceTrack(raw, frames.fps, LANDMARK_SMOOTHING, frames.width, frames.height);
  const track = extractMotion(smoothed, frames.fps, raw, faces.meshMirror);
  // The mouth interior from the raw landmarks: the crop must sit on this frame's own lips.
  track.mouths = await extractDriverMouths(frames, raw);
  return track;
}

/**
 * The clip's motion track from the cache, else the shipped one, else analysed on `decode(ANALYSIS_MAX_SIDE)` and
 * cached. `decode` lets the caller share one decode between analyses; by default the clip is decoded here.
 */
export async function loadDriverMotion(clip: DriverClip, deps: DriverMotionDeps, run: RunOptions = {}, decode: (maxSide: number) => Promise<FrameSequence> = (side) => decodeDriver(clip, side, run.signal)): Promise<MotionTrack> {
  const key = await driverMotionKey(clip);
  const cached = await deps.cache.get(key);
  if (cached) return cached;
  const shipped = await shippedTrack(clip, key);
  if (shipped) {
    deps.cache.hold(key, shipped);
    return shipped;
  }
  const track = await analyseDriverMotion(await decode(ANALYSIS_MAX_SIDE), deps.faces, run);
  await deps.cache.put(key, track);
  return track;
}
