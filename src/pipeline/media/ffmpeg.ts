// The only module that spawns ffmpeg: binary resolution, one-shot runs and streamed raw-frame output.
// It knows process lifetimes (abort, timeout, memory caps), not codecs or meme formats.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { type ProcessSettings, processSettings } from '../../config.ts';
import { MemeError } from '../../errors.ts';

const require = createRequire(import.meta.url);

/** Only the tail of stderr matters for diagnosis; a chatty or hostile input must not grow it without bound. */
const MAX_STDERR_CHARS = 64 * 1024;
/** Buffered stdout above this is refused so that a runaway output cannot exhaust memory. */
const DEFAULT_MAX_STDOUT_BYTES = 512 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

function fromPackage(name: string): string | undefined {
  try {
    const loaded: unknown = require(name);
    const candidate = typeof loaded === 'string' ? loaded : (loaded as { path?: unknown } | null)?.path;
    return typeof candidate === 'string' && existsSync(candidate) ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/** FFMPEG_PATH, else ffmpeg-static (optional, only if its binary is really there), else @ffmpeg-installer/ffmpeg. */
export function resolveFfmpegPath(settings: Pick<ProcessSettings, 'ffmpegPath'> = processSettings()): string {
  const configured = settings.ffmpegPath;
  if (configured) {
    if (!existsSync(configured)) {
      throw new MemeError('INTERNAL', `FFMPEG_PATH points to ${configured}, which does not exist`, { ffmpegPath: configured });
    }
    return configured;
  }
  const found = fromPackage('ffmpeg-static') ?? fromPackage('@ffmpeg-installer/ffmpeg');
  if (!found) throw new MemeError('INTERNAL', 'no ffmpeg binary: set FFMPEG_PATH or install @ffmpeg-installer/ffmpeg');
  return found;
}

export interface FfmpegRunOptions {
  stdin?: Buffer | Readable;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Collect stdout into a Buffer (default true); false discards it (output goes to a file). */
  stdoutToBuffer?: boolean;
  maxStdoutBytes?: number;
  /** Resolve even on a non-zero exit (probing with `ffmpeg -i` always "fails"). */
  allowFailure?: boolean;
}

export interface FfmpegResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
}

/** Keeps the last MAX_STDERR_CHARS characters of a stream. */
class TailBuffer {
  private text = '';
  push(chunk: Buffer): void {
    this.text += chunk.toString('utf8');
    if (this.text.length > MAX_STDERR_CHARS * 2) this.text = this.text.slice(-MAX_STDERR_CHARS);
  }
  toString(): string {
    return this.text.slice(-MAX_STDERR_CHARS);
  }
}

export function abortError(signal: AbortSignal): MemeError {
  return signal.reason instanceof MemeError ? signal.reason : new MemeError('CANCELLED', 'ffmpeg run cancelled');
}

/** What both runners below share: one ffmpeg process, its stderr tail, and the ways it is stopped. */
interface Supervised {
  child: ChildProcess;
  /** Kills ffmpeg; with an error, the run rejects with it (the first one given wins). */
  kill(error?: MemeError): void;
  /** Settles on exit: the stderr tail and exit code, or the error the run was killed with. */
  exited: Promise<{ stderr: string; exitCode: number | null }>;
}

/**
 * Spawns ffmpeg and kills it on abort (CANCELLED), after `timeoutMs` (TIMEOUT) or when it cannot start
 * (INTERNAL). `what` names the run in the timeout message.
 */
function superviseFfmpeg(args: string[], options: { withStdin: boolean; signal?: AbortSignal; timeoutMs: number; what: string }): Supervised {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw abortError(signal);
  const binary = resolveFfmpegPath();
  // -nostdin stops ffmpeg reading the terminal, except when stdin carries our input.
  const head = options.withStdin ? ['-hide_banner'] : ['-hide_banner', '-nostdin'];
  const child = spawn(binary, [...head, ...args], { stdio: [options.withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const stderr = new TailBuffer();
  let failure: MemeError | undefined;
  const kill = (error?: MemeError) => {
    if (error) failure ??= error;
    child.kill('SIGKILL');
  };
  const onAbort = () => kill(abortError(signal!));
  const timer = setTimeout(() => kill(new MemeError('TIMEOUT', `${options.what} ran longer than ${timeoutMs} ms`)), timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.on('error', (error) => kill(new MemeError('INTERNAL', `cannot run ffmpeg (${binary}): ${error.message}`)));
  const exited = new Promise<{ stderr: string; exitCode: number | null }>((resolve, reject) => {
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ stderr: stderr.toString(), exitCode });
    });
  });
  return { child, kill, exited };
}

/** Runs ffmpeg to completion; kills it on abort (CANCELLED), timeout (TIMEOUT) or oversize stdout. */
export async function runFfmpeg(args: string[], options: FfmpegRunOptions = {}): Promise<FfmpegResult> {
  const { signal, timeoutMs = DEFAULT_TIMEOUT_MS, stdoutToBuffer = true } = options;
  const maxStdoutBytes = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES;
  const { child, kill, exited } = superviseFfmpeg(args, { withStdin: options.stdin !== undefined, signal, timeoutMs, what: 'ffmpeg' });
  const chunks: Buffer[] = [];
  let stdoutBytes = 0;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!stdoutToBuffer) return;
    stdoutBytes += chunk.length;
    if (stdoutBytes > maxStdoutBytes) kill(new MemeError('INTERNAL', `ffmpeg output exceeded ${maxStdoutBytes} bytes`));
    else chunks.push(chunk);
  });
  if (options.stdin && child.stdin) {
    // EPIPE when ffmpeg exits early (bad args, killed) is reported through the exit code instead.
    child.stdin.on('error', () => {});
    if (Buffer.isBuffer(options.stdin)) child.stdin.end(options.stdin);
    else options.stdin.pipe(child.stdin);
  }
  const { stderr, exitCode } = await exited;
  if (exitCode !== 0 && !options.allowFailure) {
    throw new MemeError('INTERNAL', `ffmpeg exited with ${exitCode}: ${lastLines(stderr)}`, { exitCode, stderr });
  }
  return { stdout: Buffer.concat(chunks), stderr, exitCode };
}

export function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

interface FrameStreamOptions {
  /** Bytes per frame; stdout is cut into frames of exactly this size. */
  frameBytes: number;
  maxFrames: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Runs ffmpeg with raw frames on stdout and collects at most maxFrames of them; ffmpeg is killed as soon
 * as the cap is reached, so an endless or huge stream cannot run away.
 */
export async function readFfmpegFrames(args: string[], options: FrameStreamOptions): Promise<{ frames: Uint8Array[]; stderr: string; exitCode: number | null }> {
  const { frameBytes, maxFrames, signal, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const { child, kill, exited } = superviseFfmpeg(args, { withStdin: false, signal, timeoutMs, what: 'ffmpeg decode' });
  const frames: Uint8Array[] = [];
  let pending = Buffer.alloc(frameBytes);
  let filled = 0;
  let capped = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length && !capped) {
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      chunk.copy(pending, filled, offset, offset + take);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        frames.push(new Uint8Array(pending.buffer, pending.byteOffset, frameBytes));
        pending = Buffer.alloc(frameBytes);
        filled = 0;
        if (frames.length >= maxFrames) {
          capped = true;
          kill();
        }
      }
    }
  });
  const { stderr, exitCode } = await exited;
  return { frames, stderr, exitCode: capped ? 0 : exitCode };
}
