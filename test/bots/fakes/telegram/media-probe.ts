// Inspects an uploaded media file with the real ffmpeg binary (`ffmpeg -i`), the way the fake Bot API
// checks that an animation is an MP4 with H.264 video and no audio, and that a video sticker meets Telegram's
// rules. It reads, never transcodes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
export const ffmpegPath: string = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;

export interface MediaProbe {
  /** ffmpeg's demuxer name list, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  container?: string;
  videoCodec?: string;
  hasAudio: boolean;
  width?: number;
  height?: number;
  durationSec?: number;
  /** Frames per second ffmpeg reports for the video stream (`fps`, else `tbr`). */
  fps?: number;
  /** ffmpeg could not read the file at all. */
  unreadable: boolean;
}

export function parseProbeOutput(stderr: string): MediaProbe {
  const container = /Input #0, ([^ ]+), from/.exec(stderr)?.[1]?.replace(/,$/, '');
  const video = /Stream #0:\d+.*?: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})/.exec(stderr);
  const rate = /Stream #0:\d+.*?: Video: [^\n]*?, (\d+(?:\.\d+)?) (?:fps|tbr)/.exec(stderr);
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  return {
    container,
    videoCodec: video?.[1],
    width: video ? Number(video[2]) : undefined,
    height: video ? Number(video[3]) : undefined,
    hasAudio: /Stream #0:\d+.*?: Audio:/.test(stderr),
    fps: rate ? Number(rate[1]) : undefined,
    durationSec: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : undefined,
    unreadable: container === undefined,
  };
}

export async function probeMedia(bytes: Buffer): Promise<MediaProbe> {
  // A file, not a pipe: MP4s without faststart keep the moov atom at the end, which a pipe cannot seek to.
  const dir = await mkdtemp(path.join(tmpdir(), 'fake-tg-probe-'));
  const file = path.join(dir, 'upload.bin');
  try {
    await writeFile(file, bytes);
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(ffmpegPath, ['-hide_banner', '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
      });
      child.on('error', reject);
      // ffmpeg exits 1 ("At least one output file must be specified"): the stream listing is what we want.
      child.on('close', () => resolve(text));
    });
    return parseProbeOutput(stderr);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Telegram's video sticker requirements: WebM VP9 without audio, one side 512 px, at most 3 s, 30 fps and 256 KB. */
export const MAX_VIDEO_STICKER_BYTES = 256 * 1024;

/** Why these bytes are not a valid video sticker, or undefined when they are. */
export async function videoStickerProblem(bytes: Buffer): Promise<string | undefined> {
  if (bytes.length > MAX_VIDEO_STICKER_BYTES) return `file of ${bytes.length} bytes is over 256 KB`;
  const probe = await probeMedia(bytes);
  if (probe.container !== 'matroska,webm' || probe.videoCodec !== 'vp9') return `not a VP9 WebM (${probe.container}/${probe.videoCodec})`;
  if (probe.hasAudio) return 'has an audio stream';
  const sides = [probe.width ?? 0, probe.height ?? 0];
  if (Math.max(...sides) !== 512 || Math.min(...sides) < 1) return `${sides.join('x')}: one side must be 512 px, the other at most 512`;
  if ((probe.durationSec ?? Infinity) > 3) return `lasts ${probe.durationSec} s, over 3 s`;
  if ((probe.fps ?? Infinity) > 30) return `${probe.fps} fps, over 30`;
  return undefined;
}
