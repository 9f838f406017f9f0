import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrames, startFrameEncoder } from '../../../../src/pipeline/media/encode.ts';
import type { OutputFit } from '../../../../src/pipeline/types.ts';
import { runFfmpeg } from '../../../../src/pipeline/media/ffmpeg.ts';
import { syntheticFrames, tempDir } from './media-fixtures.ts';

const dir = tempDir();
const clip = syntheticFrames(160, 120, 12, 2, 8);

async function frameCountOf(bytes: Buffer, extension: string): Promise<number> {
  const file = path.join(dir, `streamed-${Math.random().toString(36).slice(2)}.${extension}`);
  writeFileSync(file, bytes);
  const { stderr } = await runFfmpeg(['-i', file, '-map', '0:v', '-f', 'null', '-'], { stdoutToBuffer: false });
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return Number(counts[counts.length - 1]?.[1] ?? 0);
}

function feed(format: 'gif' | 'mp4' | 'webm', maxBytes?: number, fit?: OutputFit) {
  const encoder = startFrameEncoder(clip.width, clip.height, clip.fps, { format, maxBytes, fit });
  for (const frame of clip.frames) encoder.write(Uint8Array.from(frame));
  return encoder.finish(clip.fps);
}

describe('startFrameEncoder (encoding while frames are still being rendered)', () => {
  it('streams a GIF and an MP4 holding every frame, in one attempt when they fit', async () => {
    for (const format of ['gif', 'mp4'] as const) {
      const media = await feed(format);
      expect(media.attempts).toHaveLength(1);
      expect(media.frameCount).toBe(clip.frames.length);
      expect(await frameCountOf(media.bytes, format)).toBe(clip.frames.length);
    }
  });

  it('keeps a streamed GIF (first-frame palette) close in size to the two-pass encoder', async () => {
    const streamed = await feed('gif');
    const twoPass = await encodeFrames(clip, { format: 'gif' });
    // Synthetic noise is the worst case for a one-frame palette; rendered photos came out 0.5% larger.
    expect(streamed.bytes.length / twoPass.bytes.length).toBeLessThan(1.15);
  });

  it('walks the rest of the ladder when the streamed try is over budget, without repeating it', async () => {
    const full = await feed('gif');
    const media = await feed('gif', Math.floor(full.bytes.length * 0.6));
    expect(media.bytes.length).toBeLessThanOrEqual(Math.floor(full.bytes.length * 0.6));
    expect(media.attempts[0].bytes).toBe(full.bytes.length);
    expect(media.attempts.length).toBeGreaterThan(1);
    expect(media.fps < clip.fps || media.width < clip.width).toBe(true);
  });

  it('collects frames for a fit (a video sticker\'s) and encodes them at the end', async () => {
    const media = await feed('webm', 256 * 1024, { longSide: 512, maxSeconds: 3, maxFps: 30 });
    expect(media.format).toBe('webm');
    expect(Math.max(media.width, media.height)).toBe(512);
  });

  it('can be cancelled mid-stream', async () => {
    const encoder = startFrameEncoder(clip.width, clip.height, clip.fps, { format: 'mp4' });
    encoder.write(Uint8Array.from(clip.frames[0]));
    encoder.cancel();
    await expect(encoder.finish(clip.fps)).rejects.toBeDefined();
  });
});
