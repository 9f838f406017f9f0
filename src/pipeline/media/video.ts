// Driving clips in: probe (`ffmpeg -i`), caps on size and length, measuring how long a clip plays, and decoding
// to raw RGB frames. Every decode is bounded by -t and a frame cap so that endless or huge streams cannot run away.
import { open, stat } from 'node:fs/promises';
import { DEFAULT_INPUT_LIMITS } from '../../config.ts';
import { InputError, MemeError, throwIfAborted } from '../../errors.ts';
import type { FrameSequence } from '../types.ts';
import { lastLines, readFfmpegFrames, runFfmpeg } from './ffmpeg.ts';
import { sniffVideoContainer } from './file-type.ts';
import { isStillImageContainer, parseFfmpegInfo, type VideoInfo } from './video-info.ts';


const MAX_VIDEO_SIDE = 4096;
/** Used when neither the caller nor the container gives a rate (some GIFs). */
const FALLBACK_FPS = 12;
const MAX_DECODE_FPS = 30;
const PROBE_TIMEOUT_MS = 15_000;
const DECODE_TIMEOUT_MS = 60_000;
/** User files are opened as local files only: no URLs, no nested protocols. */
const INPUT_GUARD = ['-protocol_whitelist', 'file'];

/**
 * How frames are picked for the output rate: 'fps-filter' takes the frame nearest each output time (ffmpeg's fps
 * filter); 'output-rate' is ffmpeg's `-r` rate conversion on output, which also repeats the first frames while its
 * clock catches up: HelloMeme's fps8 re-encodes drivers that way (`ffmpeg -r 8`), so its engine picks frames so too.
 */
export type RateConversion = 'fps-filter' | 'output-rate';

interface DecodeVideoOptions {
  /** Output frame rate (frames are dropped or repeated); default: the clip's own, at most 30. */
  fps?: number;
  /** Default 'fps-filter'. */
  rateConversion?: RateConversion;
  /** Longest side of the decoded frames; never enlarges. Sides are rounded to even numbers. */
  maxSide?: number;
  startSec?: number;
  endSec?: number;
  maxFrames?: number;
  /** Clips (or the chosen span) longer than this are refused with VIDEO_TOO_LONG (default: the clip limit). */
  maxDurationSec?: number;
  /** Default: the clip byte limit (config's DEFAULT_INPUT_LIMITS). */
  maxFileBytes?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new InputError('NOT_A_VIDEO', `${path} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof MemeError) throw error;
    throw new InputError('FILE_NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, { path });
  }
}

/** What ffmpeg says about the file's first video stream; coded InputErrors for non-videos and corrupt files. */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  await fileSize(path);
  if (!sniffVideoContainer(await readHead(path))) throw new InputError('NOT_A_VIDEO', 'the file is not a video or GIF');
  // '-i' with no output always exits 1; the stream description on stderr is what we want.
  const args = [...INPUT_GUARD, '-i', path];
  const { stderr } = await runFfmpeg(args, { allowFailure: true, stdoutToBuffer: false, signal, timeoutMs: PROBE_TIMEOUT_MS });
  const info = parseFfmpegInfo(stderr);
  if (info && isStillImageContainer(info.container)) throw new InputError('NOT_A_VIDEO', 'the file is a still image, not a video or GIF');
  if (!info) throw new InputError('VIDEO_UNREADABLE', `the video is corrupt or truncated: ${lastLines(stderr, 1)}`);
  return info;
}

interface DecodePlan {
  fps: number;
  width: number;
  height: number;
  startSec: number;
  /** Seconds of input to read (always finite). */
  spanSec: number;
  /** True when the clip's length is known, so the span needs no check after decoding. */
  spanKnown: boolean;
  /** Frames to read from ffmpeg; an unknown-length clip reads past the limit to see that it is too long. */
  decodeFrames: number;
  maxFrames: number;
  maxDurationSec: number;
  /** Frames a clip of exactly the span may give beyond span × fps. */
  slack: number;
}

export function evenFit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const even = (side: number) => Math.max(2, 2 * Math.round((side * scale) / 2));
  return { width: even(width), height: even(height) };
}

function planDecode(info: VideoInfo, options: DecodeVideoOptions): DecodePlan {
  const maxDurationSec = options.maxDurationSec ?? DEFAULT_INPUT_LIMITS.maxDriverSeconds;
  const startSec = Math.max(0, options.startSec ?? 0);
  const fps = options.fps ?? Math.min(MAX_DECODE_FPS, info.fps || FALLBACK_FPS);
  if (!(fps > 0)) throw new InputError('BAD_OPTION', `fps must be positive, got ${fps}`);
  if (options.endSec !== undefined && !(options.endSec > startSec)) throw new InputError('BAD_OPTION', 'endSec must be after startSec');
  const end = options.endSec ?? info.durationSec;
  const knownSpan = end === null ? null : end - startSec;
  if (knownSpan !== null && knownSpan > maxDurationSec + 1e-3) {
    throw new InputError('VIDEO_TOO_LONG', `the clip is ${knownSpan.toFixed(1)} s long; the limit is ${maxDurationSec} s`, {
      durationSec: knownSpan,
      maxDurationSec,
    });
  }
  // Unknown length: read a little past the limit, so that "longer than the limit" can be seen in the frames.
  const spanSec = knownSpan ?? maxDurationSec + 1;
  // Frames beyond span × fps: one for the fps filter, up to three for `-r` conversion (its clock catching up at the
  // start, and the last frame held to the end of its duration).
  const slack = options.rateConversion === 'output-rate' ? 3 : 1;
  const frameCap = Math.ceil(spanSec * fps) + slack;
  const size = evenFit(info.width, info.height, options.maxSide ?? Math.max(info.width, info.height));
  const maxFrames = Math.min(options.maxFrames ?? frameCap, frameCap);
  const decodeFrames = knownSpan === null ? frameCap : maxFrames;
  return { fps, ...size, startSec, spanSec, spanKnown: knownSpan !== null, decodeFrames, maxFrames, maxDurationSec, slack };
}

/** Byte and side caps, checked on the probe before anything is decoded. */
function checkClipCaps(info: VideoInfo, bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new InputError('VIDEO_TOO_LARGE', `the clip is ${bytes} bytes; the limit is ${maxBytes}`, { bytes, maxBytes });
  }
  if (info.width > MAX_VIDEO_SIDE || info.height > MAX_VIDEO_SIDE) {
    throw new InputError('VIDEO_TOO_LARGE', `the clip is ${info.width}x${info.height}; sides are limited to ${MAX_VIDEO_SIDE} px`, {
      width: info.width,
      height: info.height,
      maxSide: MAX_VIDEO_SIDE,
    });
  }
}

/**
 * How many seconds the clip plays, at most `capSec` + 1 (enough to tell "longer than the cap"). Containers
 * that state no duration (GIF, raw streams) are played into ffmpeg's null muxer for at most that long and
 * the last `time=` it reports is taken: cheap, since nothing is scaled or kept.
 */
async function clipSeconds(path: string, info: VideoInfo, capSec: number, signal?: AbortSignal): Promise<number> {
  if (info.durationSec !== null) return info.durationSec;
  const args = [...INPUT_GUARD, '-t', String(capSec + 1), '-i', path, '-an', '-sn', '-dn', '-f', 'null', '-'];
  const { stderr } = await runFfmpeg(args, { allowFailure: true, stdoutToBuffer: false, signal, timeoutMs: PROBE_TIMEOUT_MS });
  const times = [...stderr.matchAll(/time=(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)];
  const last = times.at(-1);
  if (!last) throw new InputError('VIDEO_UNREADABLE', `the clip could not be played: ${lastLines(stderr, 1)}`);
  return Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]);
}

/** Probe, byte and side caps, and the playing time (at most `maxSeconds` + 1): everything short of decoding frames. */
export async function measureClip(path: string, caps: { maxBytes: number; maxSeconds: number }, signal?: AbortSignal): Promise<{ info: VideoInfo; durationSec: number }> {
  const bytes = await fileSize(path);
  const info = await probeVideo(path, signal);
  checkClipCaps(info, bytes, caps.maxBytes);
  return { info, durationSec: await clipSeconds(path, info, caps.maxSeconds, signal) };
}

/** Decodes a clip (MP4, WebM, GIF, ...) to RGB frames at the asked rate and size, within the caps. */
export async function decodeVideo(path: string, options: DecodeVideoOptions = {}): Promise<FrameSequence> {
  const bytes = await fileSize(path);
  const info = await probeVideo(path, options.signal);
  checkClipCaps(info, bytes, options.maxFileBytes ?? DEFAULT_INPUT_LIMITS.maxDriverBytes);
  const plan = planDecode(info, options);
  throwIfAborted(options.signal);
  // No -ss 0: seeking in a raw stream (no index) makes ffmpeg skip everything.
  const seek = plan.startSec > 0 ? ['-ss', String(plan.startSec)] : [];
  const args = ['-v', 'error', ...INPUT_GUARD, ...seek, '-t', plan.spanSec.toFixed(3), '-i', path, '-an', '-sn', '-dn'];
  if (options.rateConversion === 'output-rate') {
    // No -vf here: a user filter graph changes which frames `-r` keeps (checked against HelloMeme's fps8 goldens);
    // -s scales at the end of ffmpeg's own graph instead.
    args.push('-s', `${plan.width}x${plan.height}`, '-sws_flags', 'bicubic', '-r', String(plan.fps), '-vsync', 'cfr');
  } else {
    args.push('-vf', `fps=${plan.fps},scale=${plan.width}:${plan.height}:flags=bicubic`);
  }
  args.push('-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  const { frames, stderr, exitCode } = await readFfmpegFrames(args, {
    frameBytes: plan.width * plan.height * 3,
    maxFrames: plan.decodeFrames,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? DECODE_TIMEOUT_MS,
  });
  if (frames.length === 0) {
    const reason = exitCode === 0 ? 'no frames in the chosen span' : lastLines(stderr, 1);
    throw new InputError('VIDEO_UNREADABLE', `the clip could not be decoded: ${reason}`);
  }
  if (!plan.spanKnown && frames.length > Math.ceil(plan.maxDurationSec * plan.fps) + plan.slack) {
    throw new InputError('VIDEO_TOO_LONG', `the clip runs past the ${plan.maxDurationSec} s limit`, { maxDurationSec: plan.maxDurationSec });
  }
  return { width: plan.width, height: plan.height, fps: plan.fps, frames: frames.slice(0, plan.maxFrames) };
}
