// runFfmpegOffThread: the same contract as runFfmpeg (stdout, coded failures, abort, timeout), with the input
// written from a worker thread so ffmpeg keeps reading while this thread is busy.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemeError } from '../../../../src/errors.ts';
import { runFfmpegOffThread } from '../../../../src/pipeline/media/ffmpeg-off-thread.ts';
import { tempDir } from './media-fixtures.ts';

const TO_GRAY = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '64x64', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'];
const FRAME_BYTES = 64 * 64 * 3;

async function failureOf(promise: Promise<unknown>): Promise<MemeError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MemeError);
  return error as MemeError;
}

describe('runFfmpegOffThread', () => {
  it('returns what ffmpeg made of every chunk, in order, while the caller keeps its frames', async () => {
    const input = new PassThrough();
    const run = runFfmpegOffThread(TO_GRAY, { stdin: input });
    const frames = [10, 120, 240].map((value) => Buffer.alloc(FRAME_BYTES, value));
    for (const frame of frames) input.write(frame);
    input.end();
    const { stdout } = await run;
    expect(stdout.length).toBe(3 * 64 * 64);
    expect([stdout[0], stdout[64 * 64], stdout[2 * 64 * 64]].map((v) => Math.round(v / 10))).toEqual([1, 12, 24]);
    expect(frames.map((f) => f[0])).toEqual([10, 120, 240]); // not transferred away
  });

  it('keeps ffmpeg fed while this thread never yields: its output file grows before the input ends', async () => {
    const out = path.join(tempDir(), 'gray.raw');
    const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '512x512', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', out];
    const input = new PassThrough();
    const run = runFfmpegOffThread(args, { stdin: input, stdoutToBuffer: false });
    for (let i = 0; i < 8; i++) input.write(Buffer.alloc(512 * 512 * 3, i * 8));
    // Hold this thread (no event loop turn) until ffmpeg has written frames. Fed from this thread, the child's
    // pipe would hold less than one frame and the file would stay empty: the deadline is only a guard.
    const deadline = Date.now() + 20_000;
    const written = () => (existsSync(out) ? statSync(out).size : 0);
    while (written() < 4 * 512 * 512 && Date.now() < deadline) {
      // the engine's work, holding this thread
    }
    expect(written()).toBeGreaterThanOrEqual(4 * 512 * 512);
    input.end();
    await run;
    expect(statSync(out).size).toBe(8 * 512 * 512);
  });

  it('reports a failing run as INTERNAL with the end of ffmpeg\'s stderr', async () => {
    const input = new PassThrough();
    const run = runFfmpegOffThread(['-v', 'error', '-f', 'rawvideo', '-i', 'pipe:0', '-f', 'null', '-'], { stdin: input });
    input.end(Buffer.alloc(10));
    const error = await failureOf(run);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/ffmpeg exited with/);
  });

  it('is cancelled by its signal (CANCELLED) and timed out by timeoutMs (TIMEOUT), even with input still open', async () => {
    const controller = new AbortController();
    const cancelled = runFfmpegOffThread(TO_GRAY, { stdin: new PassThrough(), signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect((await failureOf(cancelled)).code).toBe('CANCELLED');
    const slow = runFfmpegOffThread(TO_GRAY, { stdin: new PassThrough(), timeoutMs: 200 });
    expect((await failureOf(slow)).code).toBe('TIMEOUT');
  });

  it('lets ffmpeg finish when the input is destroyed without an end (a cancelled encode)', async () => {
    const input = new PassThrough();
    const run = runFfmpegOffThread(TO_GRAY, { stdin: input });
    input.write(Buffer.alloc(FRAME_BYTES, 50));
    await new Promise((resolve) => setTimeout(resolve, 50));
    input.destroy();
    expect((await run).stdout.length).toBe(64 * 64);
  });
});
