import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemeError } from '../../../../src/errors.ts';
import { decodeVideo, evenFit, probeVideo } from '../../../../src/pipeline/media/video.ts';
import { parseFfmpegInfo } from '../../../../src/pipeline/media/video-info.ts';
import { DRIVE_IMAGES, driveVideo, makeClip, tempDir } from './media-fixtures.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MemeError);
  return (error as MemeError).code;
}

const dir = tempDir();
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  await Promise.all([
    makeClip(file('clip.gif'), []),
    makeClip(file('clip.webm'), ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']),
    makeClip(file('long.mp4'), ['-c:v', 'libx264', '-preset', 'ultrafast'], 'testsrc=size=32x32:rate=10', 12),
    // A raw H.264 stream states no duration: only the decoder's own caps can stop it.
    makeClip(file('endless.h264'), ['-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'h264'], 'testsrc=size=32x32:rate=10', 40),
    makeClip(file('wide.mkv'), ['-c:v', 'png'], 'color=c=gray:size=4112x16:rate=5', 0.4),
  ]);
  writeFileSync(file('notes.mp4'), 'these are my meeting notes, not a video\n'.repeat(50));
  // An HLS playlist posing as a clip: ffmpeg would follow it to other files, so it must never be opened.
  writeFileSync(file('playlist.mp4'), '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n/etc/hostname\n#EXT-X-ENDLIST\n');
  const mp4 = readFileSync(driveVideo('amns.mp4'));
  writeFileSync(file('truncated.mp4'), mp4.subarray(0, 100_000));
  copyFileSync(path.join(DRIVE_IMAGES, 'hhh.jpg'), file('photo.jpg'));
});

describe('probeVideo', () => {
  it('reads size, rate, duration, audio and codec of a fixture clip', async () => {
    const info = await probeVideo(driveVideo('amns.mp4'));
    expect(info).toMatchObject({ width: 720, height: 720, hasAudio: true, codec: 'h264' });
    expect(info.fps).toBeCloseTo(29.44, 2);
    expect(info.durationSec).toBeCloseTo(3.47, 2);
  });

  it('reads GIF and WebM drivers (GIF states no duration)', async () => {
    const gif = await probeVideo(file('clip.gif'));
    expect(gif).toMatchObject({ width: 96, height: 64, codec: 'gif', durationSec: null, hasAudio: false });
    const webm = await probeVideo(file('clip.webm'));
    expect(webm).toMatchObject({ width: 96, height: 64, codec: 'vp9' });
    expect(webm.durationSec).toBeCloseTo(2, 1);
  });

  it('swaps the sides of a rotated clip, as ffmpeg auto-rotates while decoding', () => {
    const stderr = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mp4':",
      '  Duration: 00:00:05.20, start: 0.000000, bitrate: 9000 kb/s',
      '    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080, 8000 kb/s, 30 fps, 30 tbr, 90k tbn, 60 tbc (default)',
      '    Metadata:',
      '      rotate          : 90',
    ].join('\n');
    expect(parseFfmpegInfo(stderr)).toMatchObject({ width: 1080, height: 1920, fps: 30, durationSec: 5.2, codec: 'h264', hasAudio: false });
  });

  it('codes bad inputs: text or playlist → NOT_A_VIDEO, still photo → NOT_A_VIDEO, truncated MP4 → VIDEO_UNREADABLE, missing → FILE_NOT_FOUND', async () => {
    expect(await codeOf(probeVideo(file('notes.mp4')))).toBe('NOT_A_VIDEO');
    expect(await codeOf(probeVideo(file('playlist.mp4')))).toBe('NOT_A_VIDEO');
    expect(await codeOf(probeVideo(file('photo.jpg')))).toBe('NOT_A_VIDEO');
    expect(await codeOf(probeVideo(file('truncated.mp4')))).toBe('VIDEO_UNREADABLE');
    expect(await codeOf(probeVideo(file('missing.mp4')))).toBe('FILE_NOT_FOUND');
  });
});

describe('decodeVideo', () => {
  it('decodes a fixture clip to even-sized RGB frames at the asked rate and size', async () => {
    const clip = await decodeVideo(driveVideo('amns.mp4'), { fps: 10, maxSide: 201 });
    expect([clip.width, clip.height, clip.fps]).toEqual([202, 202].concat(10));
    expect(clip.frames.length).toBeGreaterThanOrEqual(34);
    expect(clip.frames.length).toBeLessThanOrEqual(36);
    expect(clip.frames.every((f) => f.length === 202 * 202 * 3)).toBe(true);
    // Frames differ: it is a moving clip, not one frame repeated.
    expect(Buffer.compare(Buffer.from(clip.frames[0]), Buffer.from(clip.frames[20]))).not.toBe(0);
  });

  it('honours startSec, endSec and maxFrames', async () => {
    const span = await decodeVideo(driveVideo('jgz.mp4'), { fps: 10, maxSide: 64, startSec: 1, endSec: 2 });
    expect(span.frames.length).toBe(10);
    const capped = await decodeVideo(driveVideo('jgz.mp4'), { fps: 10, maxSide: 64, maxFrames: 5 });
    expect(capped.frames.length).toBe(5);
  });

  it('decodes GIF and WebM drivers', async () => {
    for (const name of ['clip.gif', 'clip.webm']) {
      const clip = await decodeVideo(file(name), { fps: 10 });
      expect([clip.width, clip.height]).toEqual([96, 64]);
      expect(clip.frames.length).toBeGreaterThanOrEqual(19);
      expect(clip.frames.length).toBeLessThanOrEqual(21);
    }
  });

  it('refuses a clip longer than the limit before decoding, and allows a trimmed span of it', async () => {
    expect(await codeOf(decodeVideo(file('long.mp4')))).toBe('VIDEO_TOO_LONG');
    expect(await codeOf(decodeVideo(driveVideo('xzy1.mp4'), { maxDurationSec: 4 }))).toBe('VIDEO_TOO_LONG'); // 4.7 s
    const trimmed = await decodeVideo(file('long.mp4'), { fps: 5, startSec: 2, endSec: 4 });
    expect(trimmed.frames.length).toBe(10);
  });

  it('stops a stream of unknown length at the cap and says it is too long', async () => {
    const started = performance.now();
    expect(await codeOf(decodeVideo(file('endless.h264'), { fps: 10, maxDurationSec: 3 }))).toBe('VIDEO_TOO_LONG');
    expect(performance.now() - started).toBeLessThan(10_000);
    const capped = await decodeVideo(file('endless.h264'), { fps: 10, maxDurationSec: 60, maxFrames: 12 });
    expect(capped.frames.length).toBe(12);
  });

  it('refuses oversize files and sides over 4096 px with VIDEO_TOO_LARGE', async () => {
    expect(await codeOf(decodeVideo(driveVideo('amns.mp4'), { maxFileBytes: 1000 }))).toBe('VIDEO_TOO_LARGE');
    expect(await codeOf(decodeVideo(file('wide.mkv')))).toBe('VIDEO_TOO_LARGE');
  });

  it('codes unreadable input', async () => {
    expect(await codeOf(decodeVideo(file('truncated.mp4')))).toBe('VIDEO_UNREADABLE');
    expect(await codeOf(decodeVideo(file('notes.mp4')))).toBe('NOT_A_VIDEO');
  });

  it('is cancelled by its signal', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(decodeVideo(driveVideo('amns.mp4'), { signal: controller.signal }))).toBe('CANCELLED');
  });

  it('evenFit keeps aspect, rounds to even sides and never enlarges', () => {
    expect(evenFit(1920, 1080, 512)).toEqual({ width: 512, height: 288 });
    expect(evenFit(101, 75, 512)).toEqual({ width: 102, height: 76 });
  });
});
