// What render.ts hands an engine, as its needs say: the driving clip decoded once (at the size its analyses need)
// and analysed by the MediaPipe motion track and/or HelloMeme's face toolkit, and the toolkit's analysis of the
// full-resolution photo. Which engine runs and in what order stages run belong to render.ts.
import { isMemeError, throwIfAborted } from '../errors.ts';
import type { EngineDriver, EngineNeeds } from './engines/engine.ts';
import type { FaceAnalyzer } from './face/face-analyzer.ts';
import type { ClipAnalysis, FaceToolkitAnalyser } from './face-toolkit/face-toolkit.ts';
import { analyseDriverMotion, type DriverClip, decodeDriver, loadDriverMotion } from './motion/driver-motion.ts';
import type { MotionCache } from './motion/motion-cache.ts';
import type { FrameSequence, RgbImage, RunOptions } from './types.ts';

/**
 * Drivers are decoded at most this large for the toolkit: it drops faces under 96 px (spec §3.3) and crops at 512,
 * so meme clips keep their resolution.
 */
const TOOLKIT_MAX_SIDE = 1024;

export interface DriverAnalysers {
  readonly faces: FaceAnalyzer;
  readonly motionCache: MotionCache;
  /** HelloMeme's face toolkit, where its models are present. */
  readonly toolkit: FaceToolkitAnalyser | null;
}

const isNoFace = (error: unknown) => isMemeError(error) && error.code === 'NO_FACE';

const imagesOf = (clip: FrameSequence): RgbImage[] => clip.frames.map((data) => ({ width: clip.width, height: clip.height, data }));

/** The driver as `needs` asks for it; the clip is decoded at most once (not at all when the motion track is cached). */
export async function analyseDriver(clip: DriverClip, needs: EngineNeeds, analysers: DriverAnalysers, run: RunOptions = {}): Promise<EngineDriver> {
  let decoded: Promise<FrameSequence> | null = null;
  // The first analysis to decode sets the size; the toolkit goes first, so its larger frames serve both.
  const decode = (maxSide: number) => {
    decoded ??= decodeDriver(clip, maxSide, run.signal);
    return decoded;
  };
  const motion = () => loadDriverMotion(clip, { faces: analysers.faces, cache: analysers.motionCache }, run, decode);
  if (!needs.toolkit) {
    const track = await motion();
    return { fps: track.fps, frameCount: track.frameCount, motion: track };
  }
  let missing = 'no face toolkit here (its models are not in the models directory)';
  if (analysers.toolkit) {
    const frames = await decode(TOOLKIT_MAX_SIDE);
    run.onProgress?.({ stage: 'motion', fraction: 0.2, overall: 0 });
    try {
      const toolkit = await analysers.toolkit.analyse(imagesOf(frames), { signal: run.signal });
      const track = needs.motionTrack ? await motion() : undefined;
      return { fps: frames.fps, frameCount: frames.frames.length, toolkit, ...(track ? { motion: track } : {}) };
    } catch (error) {
      if (!isNoFace(error)) throw error;
      missing = 'the face toolkit found no face in the driver';
    }
  }
  throwIfAborted(run.signal);
  // In place of the toolkit: the motion track of the same frames (tracked afresh when they were decoded larger).
  const track = decoded ? await analyseDriverMotion(await decoded, analysers.faces, run) : await motion();
  return { fps: track.fps, frameCount: track.frameCount, motion: track, toolkitMissing: missing };
}

/** The toolkit's analysis of the full-resolution photo as one frame, or null where it finds no face (or has no toolkit). */
export async function analysePhotoWithToolkit(toolkit: FaceToolkitAnalyser | null, source: RgbImage, signal?: AbortSignal): Promise<ClipAnalysis | null> {
  if (!toolkit) return null;
  try {
    return await toolkit.analyse([source], { signal });
  } catch (error) {
    if (isNoFace(error)) return null;
    throw error;
  }
}
