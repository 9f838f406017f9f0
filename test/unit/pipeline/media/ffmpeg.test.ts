import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemeError } from '../../../../src/errors.ts';
import { readFfmpegFrames, resolveFfmpegPath, runFfmpeg } from '../../../../src/pipeline/media/ffmpeg.ts';
import { tempDir } from './media-fixtures.ts';

const savedPath = process.env.FFMPEG_PATH;
afterEach(() => {
  if (savedPath === undefined) delete process.env.FFMPEG_PATH;
  else process.env.FFMPEG_PATH = savedPath;
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MemeError);
  return (error as MemeError).code;
}

describe('resolveFfmpegPath', () => {
  it('falls back to the bundled @ffmpeg-installer binary when FFMPEG_PATH is unset', () => {
    const found = resolveFfmpegPath({});
    expect(existsSync(found)).toBe(true);
    expect(found).toMatch(/ffmpeg/);
  });

  it('honours FFMPEG_PATH first, and runFfmpeg uses it', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'called');
    const wrapper = path.join(dir, 'ffmpeg-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\ntouch '${marker}'\nexec '${resolveFfmpegPath({})}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    expect(resolveFfmpegPath({ ffmpegPath: wrapper })).toBe(wrapper);
    process.env.FFMPEG_PATH = wrapper;
    const { stdout } = await runFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=4x4', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    expect(stdout.length).toBe(4 * 4 * 3);
    expect(stdout[0]).toBeGreaterThan(240);
    expect(stdout[1] + stdout[2]).toBeLessThan(20);
    expect(existsSync(marker)).toBe(true);
  });

  it('gives a clear error for a bogus FFMPEG_PATH', async () => {
    expect(() => resolveFfmpegPath({ ffmpegPath: '/nonexistent/ffmpeg' })).toThrow(/FFMPEG_PATH.*does not exist/);
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    await expect(runFfmpeg(['-version'])).rejects.toThrow(/FFMPEG_PATH/);
  });
});

describe('runFfmpeg', () => {
  const endless = ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=5', '-f', 'null', '-'];

  it('feeds stdin and returns stdout', async () => {
    const rgb = Buffer.alloc(8 * 8 * 3, 200);
    const { stdout } = await runFfmpeg(['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '8x8', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { stdin: rgb });
    expect(stdout.length).toBe(64);
    expect(Math.abs(stdout[0] - 200)).toBeLessThan(3);
  });

  it('kills the process on abort with CANCELLED', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    expect(await codeOf(runFfmpeg(endless, { signal: controller.signal }))).toBe('CANCELLED');
  });

  it('kills the process after timeoutMs with TIMEOUT', async () => {
    expect(await codeOf(runFfmpeg(endless, { timeoutMs: 300 }))).toBe('TIMEOUT');
  });

  it('reports a failing run as INTERNAL with the end of stderr', async () => {
    await expect(runFfmpeg(['-i', '/nonexistent/input.mp4', '-f', 'null', '-'])).rejects.toThrow(/No such file/);
  });

  it('keeps only the tail of a huge stderr', async () => {
    // -v debug on a few hundred frames prints far more than the cap.
    const { stderr } = await runFfmpeg(['-v', 'debug', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=100', '-t', '20', '-f', 'null', '-']);
    expect(stderr.length).toBeLessThanOrEqual(64 * 1024);
    expect(stderr.length).toBeGreaterThan(1000);
  });
});

describe('readFfmpegFrames', () => {
  it('stops an endless stream at maxFrames', async () => {
    const args = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=25', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
    const { frames } = await readFfmpegFrames(args, { frameBytes: 16 * 16 * 3, maxFrames: 7, timeoutMs: 10_000 });
    expect(frames).toHaveLength(7);
    expect(frames.every((f) => f.length === 768)).toBe(true);
  });

  it('is cancelled mid-stream by its signal', async () => {
    const args = ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=25', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const promise = readFfmpegFrames(args, { frameBytes: 768, maxFrames: 10_000, signal: controller.signal });
    expect(await codeOf(promise)).toBe('CANCELLED');
  });
});
