// The contract every animation engine implements. An engine declares what it needs of the driving clip (its rate,
// a MediaPipe motion track, HelloMeme's face-toolkit analysis); render.ts decodes the clip once and provides each.
// The reference photo and the driver analyses become frames that keep the photo's framing. Engines never decode,
// caption or encode.
import type { ClipAnalysis } from '../face-toolkit/face-toolkit.ts';
import type { RateConversion } from '../media/video.ts';
import type { EngineName } from '../meme-spec.ts';
import type { MotionTrack } from '../motion/motion-track.ts';
import type { Face, FrameSequence, RgbImage, RunOptions } from '../types.ts';

export interface EngineNeeds {
  /** The driver's frame rate when the request names none; else the template's own. */
  readonly fps?: number;
  /** How the driver is resampled to that rate (default 'fps-filter'). */
  readonly rateConversion?: RateConversion;
  /** The driver's MediaPipe motion track (head motion and expression of the 478-point mesh). */
  readonly motionTrack?: boolean;
  /**
   * HelloMeme's face-toolkit analysis (222 points, static 512 crop, 3DMM pose) of the driver and of the photo at
   * full resolution. Where the renderer has no toolkit or it finds no face in the driver, the motion track comes
   * instead, with the reason.
   */
  readonly toolkit?: boolean;
}

/** The faces of a group photo as face-choice.ts selected them. */
interface FaceGroup {
  /** Drawing order: the smallest first, the largest last. */
  animated: readonly Face[];
  /** Per animated face, where in the clip it starts (seconds), so the faces do not move in lockstep. */
  offsetsSec: readonly number[];
  /** Faces that stay still; their heads are kept from being dragged by a neighbour's motion. */
  still: readonly Face[];
}

export interface EngineReference {
  /** The photo at the output size: frames have its size. */
  readonly image: RgbImage;
  /** The MediaPipe face of `image` a one-face engine animates: the chosen one, else the largest. */
  readonly face: Face;
  /** For engines with `multiFace`: every face to animate (face-choice.ts); absent means `face` alone. */
  readonly group?: FaceGroup;
  /** The photo as decoded, at full resolution (`image` when it was not shrunk). */
  readonly source: RgbImage;
  /** With needs.toolkit: the toolkit's analysis of `source` as one frame, or null where it finds no face. */
  readonly toolkit?: ClipAnalysis | null;
}

/** The driving clip as the engine asked for it: `frameCount` frames at `fps`. */
export interface EngineDriver {
  readonly fps: number;
  readonly frameCount: number;
  /** With needs.motionTrack, or in place of a toolkit analysis that could not be had. */
  readonly motion?: MotionTrack;
  /** With needs.toolkit: every decoded frame analysed (frameIndices name those that kept a face). */
  readonly toolkit?: ClipAnalysis;
  /** Why `toolkit` is missing when it was asked for (the motion track stands in). */
  readonly toolkitMissing?: string;
}

export interface EngineOptions {
  /** Seed for engines with randomness. */
  readonly seed?: number;
  /** Words for engines that take a text prompt (HelloMeme appends its own). */
  readonly prompt?: string;
  /** How much of the driver's head translation an engine that places the head by pose follows (HelloMeme's trans_ratio, 0–1). */
  readonly transRatio?: number;
  /** A LoRA style id (model-files.ts STYLE_PRESETS); only engines that list it in `styles` accept one. */
  readonly style?: string;
}

export interface EngineRun extends RunOptions {
  /** Called with each finished frame, in order, so captions and encoding can start before the last one. */
  onFrame?: (frame: Uint8Array, index: number) => void;
}

/** Frames always have the reference image's size: engines paste their work back into the whole photo. */
export interface Engine {
  readonly name: EngineName;
  readonly needs: EngineNeeds;
  /** Whether it animates several faces of one photo (EngineReference.group); otherwise only `face`. */
  readonly multiFace: boolean;
  /** The styles this engine can render here (HelloMeme: the LoRA files present); none when absent. */
  readonly styles?: readonly string[];
  render(reference: EngineReference, driver: EngineDriver, options: EngineOptions, run?: EngineRun): Promise<FrameSequence>;
  dispose(): Promise<void>;
}
