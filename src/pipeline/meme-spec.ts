// What a caller asks the pipeline for (MemeSpec) and what it gets back (MemeResult).
// Platform-neutral: bots, the CLI and the queue speak only these shapes.
import type { FaceChoice } from './face/face-choice.ts';
import type { InputInspector } from './input-inspector.ts';
import type { OutputFit, OutputFormat, StageName } from './types.ts';

export type EngineName = 'warp' | 'hellomeme';

export interface Captions {
  top?: string;
  bottom?: string;
}

export interface MemeSpec {
  /** The photo's bytes as uploaded (JPEG, PNG, WebP...); caps are checked before full decode. */
  photo: Buffer;
  /** Built-in template id; exactly one of templateId / driverPath. */
  templateId?: string;
  /** A user-supplied driving clip on disk. */
  driverPath?: string;
  /** Which seconds of the user's clip to animate; at most the clip limit from `startSec` (default: the start). */
  driverTrim?: { startSec: number; endSec?: number };
  captions?: Captions;
  format: OutputFormat;
  /** Byte budget for the encoded result; the encoder's ladder meets it. */
  maxBytes?: number;
  /** What the receiver requires of the picture (exact longest side, seconds, fps); the encoder applies it. */
  fit?: OutputFit;
  /** Output frame rate; defaults to the template's. */
  fps?: number;
  /** Longest side of the output in pixels (default 512). */
  maxSide?: number;
  engine?: EngineName | 'auto';
  /** Seed for engines with randomness (reroll changes it); DEFAULT_SEED when not given. */
  seed?: number;
  /** hellomeme: words put before HelloMeme's own prompt, as its generator does. */
  prompt?: string;
  /** hellomeme: trans_ratio, how much of the driver's head translation the pose follows (0–1, default 0). */
  transRatio?: number;
  /** A LoRA style id (HelloMeme only; model-files.ts STYLE_PRESETS); none: the checkpoint's own look. */
  style?: string;
  /** Which faces of a group photo move: every usable one (default), the largest, or face N in reading order. */
  face?: FaceChoice;
  /** Seconds between neighbouring faces' starts in the clip (default 0.25; 0 moves them in lockstep). */
  faceOffsetSec?: number;
}

/** The seed of a request that names none, so repeats hit the caches; "Another take" picks a random one. */
export const DEFAULT_SEED = 0;

/** What the encoder's byte-budget ladder settled on. */
interface BudgetChoice {
  fps: number;
  width: number;
  height: number;
  colors?: number;
  attempts: number;
}

export interface MemeResult {
  bytes: Buffer;
  format: OutputFormat;
  mime: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationSec: number;
  engine: EngineName;
  /** The seed the engine ran with: the take a "same meme in another format" button must render again. */
  seed: number;
  /** Milliseconds spent in each stage. */
  stageMs: Partial<Record<StageName, number>>;
  budget: BudgetChoice;
  /** Things the user should know about the result, e.g. caption characters no bundled font has (drawn as a box). */
  notes?: string[];
}

/** The pipeline as a long-lived object: models loaded once, one `render` per job. */
export interface Renderer {
  /** Engines this renderer can run here (warp always; hellomeme when weights and a device are present). */
  readonly engines: EngineName[];
  /** The style ids the hellomeme engine can render here (their LoRA files are present); none when absent. */
  readonly styles?: readonly string[];
  /** What `engine: 'auto'` runs here and why (HelloMeme needs its models and a GPU). */
  readonly autoChoice?: { engine: EngineName; reason: string };
  /** The cheap checks on a photo or clip as it arrives, sharing this renderer's face model and photo cache. */
  readonly inspector?: InputInspector;
  render(spec: MemeSpec, options?: import('./types.ts').RunOptions): Promise<MemeResult>;
  dispose(): Promise<void>;
}
