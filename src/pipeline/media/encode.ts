// Encodes rendered frames to GIF, MP4 (H.264, faststart) or WebM (VP9) within a byte budget and the receiver's
// fit (OutputFit: side, seconds, fps, given by the caller), walking the budget ladder until the output fits.
// Knows formats and budgets, not captions, engines or who receives the file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { InputError, MemeError, throwIfAborted } from '../../errors.ts';
import type { MemeResult } from '../meme-spec.ts';
import type { FrameSequence, OutputFit, OutputFormat } from '../types.ts';
import { budgetLadder, type BudgetStep, certainToMiss, resampleIndices, scaledEvenSize } from './budget-ladder.ts';
import { type EncodeSettings, gifArgs, gifStreamArgs, mp4Args, webmArgs } from './encode-args.ts';
import { type FfmpegResult, type FfmpegRunOptions, runFfmpeg } from './ffmpeg.ts';
import { runFfmpegOffThread } from './ffmpeg-off-thread.ts';

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const MIME: Readonly<Record<OutputFormat, string>> = { gif: 'image/gif', mp4: 'video/mp4', webm: 'video/webm' };
const ENCODE_TIMEOUT_MS = 120_000;

interface EncodeOptions {
  format: OutputFormat;
  maxBytes?: number;
  fit?: OutputFit;
  signal?: AbortSignal;
  /** Outputs are silent: meme clips carry no audio. */
  withAudio?: never;
}

interface BudgetAttempt extends BudgetStep {
  width: number;
  height: number;
  bytes: number;
}

/** The encoded file and its description: a MemeResult without the pipeline's own fields. */
export interface EncodedMedia extends Omit<MemeResult, 'engine' | 'seed' | 'stageMs' | 'notes'> {
  /** Every ladder step tried, in order, with its size; the last one is the result. */
  attempts: BudgetAttempt[];
}

/** The frames cut to the fit's seconds and fps, and the picture size its longest side asks for. */
function fitInput(frames: FrameSequence, fit: OutputFit): { frames: FrameSequence; width: number; height: number } {
  const fps = Math.min(frames.fps, fit.maxFps ?? frames.fps);
  const kept = fps === frames.fps ? frames.frames : resampleIndices(frames.frames.length, frames.fps, fps).map((i) => frames.frames[i]);
  const trimmed = fit.maxSeconds === undefined ? kept : kept.slice(0, Math.max(1, Math.floor(fit.maxSeconds * fps + 1e-6)));
  const fitted = { ...frames, fps, frames: trimmed };
  if (fit.longSide === undefined) return { frames: fitted, width: frames.width, height: frames.height };
  const scale = fit.longSide / Math.max(frames.width, frames.height);
  const longIsWidth = frames.width >= frames.height;
  const other = 2 * Math.round(((longIsWidth ? frames.height : frames.width) * scale) / 2);
  const size = longIsWidth ? { width: fit.longSide, height: other } : { width: other, height: fit.longSide };
  return { frames: fitted, ...size };
}

/** Frames can go to ffmpeg while still arriving only when the fit needs the whole clip for nothing. */
function needsWholeClip(fit: OutputFit | undefined): boolean {
  return fit !== undefined && (fit.longSide !== undefined || fit.maxSeconds !== undefined || fit.maxFps !== undefined);
}

async function withTempFile<T>(extension: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'memeloom-encode-'));
  try {
    return await use(path.join(dir, `out.${extension}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A whole clip in memory runs here; frames still arriving are fed to ffmpeg from a worker thread. */
function runEncoder(args: string[], input: Buffer | Readable, options: Omit<FfmpegRunOptions, 'stdin'>): Promise<FfmpegResult> {
  return Buffer.isBuffer(input) ? runFfmpeg(args, { ...options, stdin: input }) : runFfmpegOffThread(args, { ...options, stdin: input });
}

async function encodeOnce(format: OutputFormat, input: Buffer | Readable, settings: EncodeSettings, signal?: AbortSignal): Promise<Buffer> {
  const run = { signal, timeoutMs: ENCODE_TIMEOUT_MS };
  if (format === 'gif') return (await runEncoder(gifArgs(settings), input, run)).stdout;
  // +faststart rewrites the file to put moov first, and webm writes its cues at the end: both need a seekable file.
  return withTempFile(format, async (file) => {
    await runEncoder(format === 'mp4' ? mp4Args(settings, file) : webmArgs(settings, file), input, { ...run, stdoutToBuffer: false });
    return readFile(file);
  });
}

function checkFrames(frames: FrameSequence): void {
  if (frames.frames.length === 0) throw new MemeError('BAD_TENSOR', 'no frames to encode');
  if (!(frames.fps > 0)) throw new MemeError('BAD_TENSOR', `fps must be positive, got ${frames.fps}`);
  const frameBytes = frames.width * frames.height * 3;
  if (frames.frames.some((frame) => frame.length !== frameBytes)) {
    throw new MemeError('BAD_TENSOR', `every frame must hold ${frameBytes} bytes (${frames.width}x${frames.height} RGB)`);
  }
}

function checkFormat(format: OutputFormat): void {
  if (!(format in MIME)) throw new InputError('UNSUPPORTED_FORMAT', `unknown output format ${String(format)}`);
}

function resultOf(format: OutputFormat, bytes: Buffer, step: BudgetStep, size: { width: number; height: number }, frameCount: number, attempts: BudgetAttempt[]): EncodedMedia {
  return {
    bytes,
    format,
    mime: MIME[format],
    ...size,
    fps: step.fps,
    frameCount,
    durationSec: frameCount / step.fps,
    budget: { fps: step.fps, ...size, colors: step.colors, attempts: attempts.length },
    attempts,
  };
}

/**
 * Encodes frames, stepping down the budget ladder until the bytes fit; BUDGET_UNREACHABLE if nothing does.
 * `tried` are attempts already made (by a FrameEncoder) for the first ladder steps; they are not repeated.
 */
export async function encodeFrames(frames: FrameSequence, options: EncodeOptions, tried: BudgetAttempt[] = []): Promise<EncodedMedia> {
  const { format, signal } = options;
  checkFormat(format);
  checkFrames(frames);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fitted = options.fit ? fitInput(frames, options.fit) : null;
  const source = fitted?.frames ?? frames;
  const baseWidth = fitted?.width ?? frames.width;
  const baseHeight = fitted?.height ?? frames.height;
  const attempts: BudgetAttempt[] = [...tried];

  const ladder = budgetLadder(format, source.fps, { keepSize: options.fit?.longSide !== undefined });
  for (const [index, step] of ladder.entries()) {
    if (index < tried.length) continue;
    throwIfAborted(signal);
    const last = attempts[attempts.length - 1];
    if (last && index < ladder.length - 1 && certainToMiss(last, step, maxBytes)) continue;
    const indices = resampleIndices(source.frames.length, source.fps, step.fps);
    const size = scaledEvenSize(baseWidth, baseHeight, step.scale);
    const durationSec = indices.length / step.fps;
    const settings: EncodeSettings = { inputWidth: source.width, inputHeight: source.height, ...size, fps: step.fps, colors: step.colors, crf: step.crf };
    // VP9 constrained quality: a ceiling at 85% of the budget's bitrate leaves room for container overhead.
    if (format === 'webm') settings.maxBitrate = ((maxBytes * 8) / durationSec) * 0.85;
    const input = Buffer.concat(indices.map((i) => source.frames[i]));
    const bytes = await encodeOnce(format, input, settings, signal);
    attempts.push({ ...step, ...size, bytes: bytes.length });
    if (bytes.length <= maxBytes) return resultOf(format, bytes, step, size, indices.length, attempts);
  }
  throw new MemeError('BUDGET_UNREACHABLE', `no ${format} setting fits ${maxBytes} bytes (smallest was ${Math.min(...attempts.map((a) => a.bytes))})`, {
    maxBytes,
    attempts,
  });
}

interface FrameEncoder {
  /** Hands over the next frame (RGB, width×height); it is kept for the ladder's later steps. */
  write(frame: Uint8Array): void;
  /** Ends the input and returns the encoded media, walking the rest of the ladder if the first try is too big. */
  finish(fps: number): Promise<EncodedMedia>;
  /** Gives up: the running ffmpeg (if any) sees its input end and exits. */
  cancel(): void;
}

/**
 * Starts the ladder's first step while frames are still being rendered, so ffmpeg works on one core while
 * the engine works on the other. GIF and MP4 only, and only without a fit: a fit needs the whole clip first
 * (trim and rescale), so then frames are collected and encoded at finish.
 */
export function startFrameEncoder(width: number, height: number, fps: number, options: EncodeOptions): FrameEncoder {
  const { format, signal } = options;
  checkFormat(format);
  const frames: Uint8Array[] = [];
  const [first] = budgetLadder(format, fps, { keepSize: options.fit?.longSide !== undefined });
  const streams = format !== 'webm' && !needsWholeClip(options.fit) && first.fps === fps && first.scale === 1;
  const input = new PassThrough();
  const size = scaledEvenSize(width, height, first.scale);
  const settings: EncodeSettings = { inputWidth: width, inputHeight: height, ...size, fps, colors: first.colors, crf: first.crf };
  let pending: Promise<Buffer> | null = null;

  return {
    write(frame) {
      frames.push(frame);
      if (!streams) return;
      if (!pending) {
        // A streamed GIF takes its palette from the first frame (gifStreamArgs); MP4 encodes as it would anyway.
        pending =
          format === 'gif'
            ? runEncoder(gifStreamArgs(settings), input, { signal, timeoutMs: ENCODE_TIMEOUT_MS }).then((run) => run.stdout)
            : encodeOnce(format, input, settings, signal);
        pending.catch(() => {}); // awaited in finish(); an early failure must not go unhandled meanwhile
      }
      input.write(frame);
    },
    async finish(actualFps) {
      input.end();
      const sequence: FrameSequence = { width, height, fps: actualFps, frames };
      checkFrames(sequence);
      if (!pending || actualFps !== fps) return encodeFrames(sequence, options);
      const bytes = await pending;
      const attempt: BudgetAttempt = { ...first, ...size, bytes: bytes.length };
      if (bytes.length <= (options.maxBytes ?? DEFAULT_MAX_BYTES)) return resultOf(format, bytes, first, size, frames.length, [attempt]);
      return encodeFrames(sequence, options, [attempt]);
    },
    cancel() {
      input.destroy();
      frames.length = 0;
    },
  };
}
