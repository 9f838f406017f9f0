// The contract every animation engine implements: a reference photo with its face, plus a motion track,
// become frames that keep the photo's framing. Engines never decode, caption or encode.
import type { EngineName } from '../meme-spec.ts';
import type { MotionTrack } from '../motion/motion-track.ts';
import type { Face, FrameSequence, RgbImage, RunOptions } from '../types.ts';

export interface EngineReference {
  image: RgbImage;
  face: Face;
}

export interface EngineOptions {
  /** Frames per second of the output; the motion track is resampled to it. */
  fps: number;
  /** Seed for engines with randomness. */
  seed?: number;
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
