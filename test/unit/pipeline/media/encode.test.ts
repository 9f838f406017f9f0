import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemeError } from '../../../../src/errors.ts';
import { type EncodedMedia, encodeFrames } from '../../../../src/pipeline/media/encode.ts';
import { runFfmpeg } from '../../../../src/pipeline/media/ffmpeg.ts';
import { syntheticFrames, tempDir } from './media-fixtures.ts';

const dir = tempDir();

interface Decoded {
  codec: string;
  pixFmt: string;
  width: number;
  height: number;
  frames: number;
  hasAudio: boolean;
  container: string;
}

/** Decodes the encoded bytes back with ffmpeg and reads what it says about them. */
async function decodeBack(media: EncodedMedia): Promise<Decoded> {
  const file = path.join(dir, `out-${Math.random().toString(36).slice(2)}.${media.format}`);
  writeFileSync(file, media.bytes);
  const { stderr } = await runFfmpeg(['-i', file, '-map', '0:v', '-f', 'null', '-'], { stdoutToBuffer: false });
  const stream = /Stream #0:0.*?: Video: ([\w-]+)[^,]*, (\w+)[^,]*(?:\([^)]*\))?, (\d+)x(\d+)/.exec(stderr);
  const frameCounts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  expect(stream, stderr).not.toBeNull();
  return {
    codec: stream![1],
    pixFmt: stream![2],
    width: Number(stream![3]),
    height: Number(stream![4]),
    frames: Number(frameCounts[frameCounts.length - 1]?.[1] ?? 0),
    hasAudio: /Stream #0:\d+.*?: Audio:/.test(stderr),
    container: /Input #0, (.+?), from/.exec(stderr)![1],
  };
}

/** Top-level ISO-BMFF box types in file order. */
function topLevelBoxes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(offset);
    types.push(bytes.toString('latin1', offset + 4, offset + 8));
    if (size < 8) break;
    offset += size;
  }
  return types;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MemeError);
  return (error as MemeError).code;
}

const clip = syntheticFrames(160, 120, 12, 2, 8);

describe('encodeFrames', () => {
  it('MP4: H.264, yuv420p, even size, every frame, no audio, moov before mdat', async () => {
    const odd = syntheticFrames(161, 121, 12, 1, 8);
    const media = await encodeFrames(odd, { format: 'mp4' });
    expect(media.mime).toBe('video/mp4');
    expect([media.width, media.height]).toEqual([162, 122]);
    const back = await decodeBack(media);
    expect(back).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p', width: 162, height: 122, frames: 12, hasAudio: false });
    const boxes = topLevelBoxes(media.bytes);
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    expect(media.budget).toMatchObject({ fps: 12, width: 162, height: 122, attempts: 1 });
    expect(media.durationSec).toBeCloseTo(1, 5);
  });

  it('GIF: palette-quantised, every frame, looping, within the default budget', async () => {
    const media = await encodeFrames(clip, { format: 'gif' });
    expect(media.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    // NETSCAPE2.0 application extension = loop forever.
    expect(media.bytes.includes(Buffer.from('NETSCAPE2.0'))).toBe(true);
    const back = await decodeBack(media);
    expect(back).toMatchObject({ codec: 'gif', width: 160, height: 120, frames: 24, hasAudio: false });
    expect(media.budget.colors).toBe(256);
    expect(media.bytes.length).toBeLessThanOrEqual(8 * 1024 * 1024);
  });

  it('WebM with a fit (a video sticker\'s: 512 px longest side, at most 3 s, 30 fps): VP9, no audio, within 256 KB', async () => {
    const long = syntheticFrames(128, 96, 12, 4, 8);
    const media = await encodeFrames(long, { format: 'webm', maxBytes: 256 * 1024, fit: { longSide: 512, maxSeconds: 3, maxFps: 30 } });
    expect(media.mime).toBe('video/webm');
    expect([media.width, media.height]).toEqual([512, 384]);
    expect(media.frameCount).toBe(36);
    expect(media.durationSec).toBeLessThanOrEqual(3);
    expect(media.bytes.length).toBeLessThanOrEqual(256 * 1024);
    const back = await decodeBack(media);
    expect(back).toMatchObject({ codec: 'vp9', pixFmt: 'yuv420p', width: 512, height: 384, frames: 36, hasAudio: false });
    expect(back.container).toMatch(/webm/);
  });

  it('steps down the ladder until a tight budget fits, and reports a monotonic path', async () => {
    const first = await encodeFrames(clip, { format: 'gif' });
    const maxBytes = Math.floor(first.bytes.length * 0.3);
    const media = await encodeFrames(clip, { format: 'gif', maxBytes });
    expect(media.bytes.length).toBeLessThanOrEqual(maxBytes);
    expect(media.attempts.length).toBeGreaterThan(1);
    expect(media.budget.attempts).toBe(media.attempts.length);
    for (let i = 1; i < media.attempts.length; i++) {
      const [before, after] = [media.attempts[i - 1], media.attempts[i]];
      expect(after.fps).toBeLessThanOrEqual(before.fps);
      expect(after.width).toBeLessThanOrEqual(before.width);
      expect(after.colors!).toBeLessThanOrEqual(before.colors!);
      expect(before.bytes).toBeGreaterThan(maxBytes);
    }
    const last = media.attempts[media.attempts.length - 1];
    expect(media.budget).toMatchObject({ fps: last.fps, width: last.width, height: last.height, colors: last.colors });
    const back = await decodeBack(media);
    expect([back.width, back.height, back.frames]).toEqual([media.width, media.height, media.frameCount]);
  });

  it('throws BUDGET_UNREACHABLE when no step fits, after trying down to the last step', async () => {
    const error = await encodeFrames(clip, { format: 'mp4', maxBytes: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemeError);
    expect((error as MemeError).code).toBe('BUDGET_UNREACHABLE');
    const attempts = (error as MemeError).details.attempts as { crf: number; bytes: number }[];
    // fps/scale steps that cannot fit are skipped; every CRF step down to the worst is tried.
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.map((a) => a.crf).slice(-3)).toEqual([28, 33, 38]);
    expect(attempts.every((a) => a.bytes > 500)).toBe(true);
  });

  it('refuses malformed frames and honours its signal', async () => {
    const bad = { width: 10, height: 10, fps: 10, frames: [new Uint8Array(5)] };
    expect(await codeOf(encodeFrames(bad, { format: 'gif' }))).toBe('BAD_TENSOR');
    expect(await codeOf(encodeFrames({ ...clip, frames: [] }, { format: 'gif' }))).toBe('BAD_TENSOR');
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(encodeFrames(clip, { format: 'mp4', signal: controller.signal }))).toBe('CANCELLED');
  });
});
