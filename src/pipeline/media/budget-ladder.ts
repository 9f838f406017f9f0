// The byte-budget ladder: the ordered settings an encoder tries until the output fits its byte budget.
// Pure planning (no ffmpeg): fewer fps first, then a smaller picture, then fewer colours / higher CRF.
import type { OutputFormat } from '../types.ts';

export interface BudgetStep {
  fps: number;
  /** Factor on the frames' width and height (1 = as rendered). */
  scale: number;
  /** GIF palette size. */
  colors?: number;
  /** x264 / VP9 constant-rate factor. */
  crf?: number;
}

/** Frame rates below this look like a slideshow; the ladder goes no lower. */
export const MIN_LADDER_FPS = 6;
const FPS_FACTORS = [1, 0.75, 0.5];
const SCALE_FACTORS = [1, 0.75, 0.5];
const GIF_COLORS = [256, 128, 64, 32];
const X264_CRFS = [23, 28, 33, 38];
const VP9_CRFS = [32, 38, 45, 52];

function distinctFps(sourceFps: number): number[] {
  const rates: number[] = [];
  for (const factor of FPS_FACTORS) {
    const fps = Math.max(Math.min(sourceFps, MIN_LADDER_FPS), Math.round(sourceFps * factor * 100) / 100);
    if (!rates.includes(fps)) rates.push(fps);
  }
  return rates;
}

/**
 * Steps for one format, best quality first. Each setting only ever gets worse along the ladder, so the
 * first step that fits is the best fit the ladder can offer. A picture whose size the receiver fixes
 * (`keepSize`: an OutputFit's exact longest side) has no scale phase.
 */
export function budgetLadder(format: OutputFormat, sourceFps: number, options: { keepSize?: boolean } = {}): BudgetStep[] {
  const rates = distinctFps(sourceFps);
  const minFps = rates[rates.length - 1];
  const scales = options.keepSize ? [1] : SCALE_FACTORS;
  const minScale = scales[scales.length - 1];
  const quality = format === 'gif' ? GIF_COLORS : format === 'mp4' ? X264_CRFS : VP9_CRFS;
  const withQuality = (fps: number, scale: number, value: number): BudgetStep =>
    format === 'gif' ? { fps, scale, colors: value } : { fps, scale, crf: value };

  const steps: BudgetStep[] = rates.map((fps) => withQuality(fps, 1, quality[0]));
  for (const scale of scales.slice(1)) steps.push(withQuality(minFps, scale, quality[0]));
  for (const value of quality.slice(1)) steps.push(withQuality(minFps, minScale, value));
  return steps;
}

/** Indices of the frames kept when a clip at sourceFps is shown at targetFps (same duration). */
export function resampleIndices(frameCount: number, sourceFps: number, targetFps: number): number[] {
  if (targetFps >= sourceFps) return Array.from({ length: frameCount }, (_, i) => i);
  const count = Math.max(1, Math.round((frameCount * targetFps) / sourceFps));
  return Array.from({ length: count }, (_, i) => Math.min(frameCount - 1, Math.floor((i * sourceFps) / targetFps)));
}

/** Scaled size, rounded to even sides (x264 and yuv420p need them), never below 2 px. */
export function scaledEvenSize(width: number, height: number, scale: number): { width: number; height: number } {
  const even = (side: number) => Math.max(2, 2 * Math.round((side * scale) / 2));
  return { width: even(width), height: even(height) };
}

/** A tried step: its settings and what it produced. */
interface SizedStep extends BudgetStep {
  bytes: number;
}

/**
 * Whether a fps/scale step is certain enough to miss the budget that trying it would waste an encode.
 * Bytes are predicted proportional to frames x pixels; real files shrink less than that (fewer frames
 * differ more, smaller pictures carry more detail per pixel), so a prediction over budget (with margin)
 * means the real file would be over too. Quality steps (colours, CRF) are never skipped: no model for them.
 */
export function certainToMiss(last: SizedStep, step: BudgetStep, maxBytes: number, margin = 1.1): boolean {
  const sameQuality = step.colors === last.colors && step.crf === last.crf;
  if (!sameQuality) return false;
  const predicted = last.bytes * (step.fps / last.fps) * (step.scale / last.scale) ** 2;
  return predicted > maxBytes * margin;
}
