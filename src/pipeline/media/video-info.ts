// Reads what `ffmpeg -i` prints about an input (there is no ffprobe in the bundled build). Pure text inspection;
// spawning lives in ffmpeg.ts, recognising containers by their bytes in file-type.ts.

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  /** null when the container does not say (GIF, raw streams); decoders must cap such inputs themselves. */
  durationSec: number | null;
  hasAudio: boolean;
  codec: string;
  /** ffmpeg's demuxer names, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "gif", "matroska,webm". */
  container: string;
}

/** Demuxers that read single pictures: a still photo is not a driving clip. */
const STILL_IMAGE_DEMUXERS = /^(image2|[a-z0-9]+_pipe)$/;

function parseDuration(stderr: string): number | null {
  const match = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

function parseRate(text: string): number | null {
  const match = /^([\d.]+)(k?)$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * (match[2] ? 1000 : 1);
  return Number.isFinite(value) && value > 0 ? value : null;
}

function parseRotation(stderr: string): number {
  const tag = /^\s+rotate\s+:\s+(-?\d+)/m.exec(stderr);
  const matrix = /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(stderr);
  const degrees = tag ? Number(tag[1]) : matrix ? Number(matrix[1]) : 0;
  return ((Math.round(degrees / 90) * 90) % 360 + 360) % 360;
}

/** Parses `ffmpeg -i <file>` stderr; null when ffmpeg found no video stream at all. */
export function parseFfmpegInfo(stderr: string): VideoInfo | null {
  const input = /^Input #0, (.+?), from /m.exec(stderr);
  const stream = /^\s*Stream #0:\d+.*?: Video: (.*)$/m.exec(stderr);
  if (!input || !stream) return null;
  const description = stream[1];
  const codec = /^([\w-]+)/.exec(description)?.[1] ?? 'unknown';
  const size = /, (\d+)x(\d+)(?=[\s,]|$)/.exec(description);
  if (!size) return null;
  const fpsText = /, ([\d.]+k?) fps/.exec(description)?.[1] ?? /, ([\d.]+k?) tbr/.exec(description)?.[1];
  let width = Number(size[1]);
  let height = Number(size[2]);
  // ffmpeg auto-rotates while decoding, so a 90/270-degree clip arrives with its sides swapped.
  const rotation = parseRotation(stderr);
  if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  return {
    width,
    height,
    fps: (fpsText && parseRate(fpsText)) || 0,
    durationSec: parseDuration(stderr),
    hasAudio: /^\s*Stream #0:\d+.*?: Audio: /m.test(stderr),
    codec,
    container: input[1],
  };
}

export function isStillImageContainer(container: string): boolean {
  return STILL_IMAGE_DEMUXERS.test(container);
}
