// The contract every animation engine implements: a reference photo with its face, plus a motion track,
// become frames that keep the photo's framing. Engines never caption or encode, and decode only the driver clip
// they are pointed at when the motion track is not enough (HelloMeme's expression encoder needs pixels).
import type { EngineName } from '../meme-spec.ts';
import type { MotionTrack } from '../motion/motion-track.ts';
import type { Face, FrameSequence, RgbImage, RunOptions } from '../types.ts';

export interface EngineReference {
  image: RgbImage;
  face: Face;
}

/** The driving clip the motion track was extracted from, for engines that need its pixels (HelloMeme's PD-FGC). */
export interface EngineDriverClip {
  clipPath: string;
  startSec?: number;
  endSec?: number;
  /** The same cap the motion decode used (user clips 10 s). */
  maxDurationSec?: number;
}

export interface EngineOptions {
  /** Frames per second of the output; the motion track is resampled to it. */
  fps: number;
  /** Seed for engines with randomness. */
  seed?: number;
  /** Engines that decode the driver themselves read it from here; the others ignore it. */
  driver?: EngineDriverClip;
}

export interface EngineRun extends RunOptions {
  /** Called with each finished frame, in order, so captions and encoding can start before the last one. */
  onFrame?: (frame: Uint8Array, index: number) => void;
}

/** Frames always have the reference image's size: engines paste their work back into the whole photo. */
export interface Engine {
  readonly name: EngineName;
  render(reference: EngineReference, motion: MotionTrack, options: EngineOptions, run?: EngineRun): Promise<FrameSequence>;
  dispose(): Promise<void>;
}
