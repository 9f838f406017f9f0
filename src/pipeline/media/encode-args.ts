// ffmpeg argument lists for the three output formats, from raw RGB frames on stdin.
// Pure: it builds argv arrays; running them and meeting the byte budget is encode.ts's job.

export interface EncodeSettings {
  /** Size of the raw frames on stdin. */
  inputWidth: number;
  inputHeight: number;
  /** Size of the encoded picture (even sides). */
  width: number;
  height: number;
  fps: number;
  colors?: number;
  crf?: number;
  /** VP9 only: a bitrate ceiling (bits/s) so the first try already aims at the byte budget. */
  maxBitrate?: number;
}

/**
 * GIF dithering: an ordered (bayer) pattern stays put from frame to frame, so unchanged areas compress;
 * measured on 4 s 512 px fixture clips, sierra2_4a was 20-50% larger and 2-3x slower than bayer_scale=4
 * (scale 5, a fainter pattern, is 2% smaller again).
 */
const GIF_DITHER = 'dither=bayer:bayer_scale=5';
/**
 * Temporal denoise first: grain would otherwise change every pixel every frame. Measured on warp renders of
 * the nice template: 3:3:6:6 took 15% off; 4:4:14:14 with bayer_scale=5 took another 10% (chillout
 * 4.12 → 3.88 MB, no visible difference; without any dither it was still 3.96 MB).
 */
const GIF_DENOISE = 'hqdn3d=4:4:14:14';

function rawInput(settings: EncodeSettings): string[] {
  const size = `${settings.inputWidth}x${settings.inputHeight}`;
  return ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', size, '-r', String(settings.fps), '-i', 'pipe:0'];
}

function scaleFilter(settings: EncodeSettings): string | null {
  if (settings.width === settings.inputWidth && settings.height === settings.inputHeight) return null;
  return `scale=${settings.width}:${settings.height}:flags=lanczos`;
}

export function gifArgs(settings: EncodeSettings): string[] {
  const scale = scaleFilter(settings);
  const colors = settings.colors ?? 256;
  // One pass: the palette is built from the whole clip (stats_mode=diff favours what moves), then applied.
  const graph = `${scale ? `${scale},` : ''}${GIF_DENOISE},split[a][b];[a]palettegen=max_colors=${colors}:stats_mode=diff[p];[b][p]paletteuse=${GIF_DITHER}:diff_mode=rectangle`;
  return ['-v', 'error', ...rawInput(settings), '-filter_complex', graph, '-loop', '0', '-f', 'gif', 'pipe:1'];
}

/**
 * GIF whose frames are dithered and written as they arrive instead of after the whole clip: the palette
 * comes from the first frame alone (trim ends palettegen's input there, so it answers at once), where
 * gifArgs' palettegen must see every frame before paletteuse can start. For an animated photo the first
 * frame holds nearly every colour the clip will show: on warp renders of the nice template the result was
 * 0.5% larger and looked the same. One process, so no palette file and no second ffmpeg start.
 */
export function gifStreamArgs(settings: EncodeSettings): string[] {
  const scale = scaleFilter(settings);
  const colors = settings.colors ?? 256;
  const graph = `${scale ? `${scale},` : ''}${GIF_DENOISE},split[a][b];[a]trim=end_frame=1,palettegen=max_colors=${colors}[p];[b][p]paletteuse=${GIF_DITHER}:diff_mode=rectangle`;
  return ['-v', 'error', ...rawInput(settings), '-filter_complex', graph, '-loop', '0', '-f', 'gif', 'pipe:1'];
}

export function mp4Args(settings: EncodeSettings, outputPath: string): string[] {
  const scale = scaleFilter(settings);
  return [
    '-v', 'error', '-y', ...rawInput(settings),
    ...(scale ? ['-vf', scale] : []),
    '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(settings.crf ?? 23),
    '-pix_fmt', 'yuv420p', '-profile:v', 'high', '-movflags', '+faststart', '-f', 'mp4', outputPath,
  ];
}

export function webmArgs(settings: EncodeSettings, outputPath: string): string[] {
  const scale = scaleFilter(settings);
  const bitrate = settings.maxBitrate ? ['-b:v', String(Math.round(settings.maxBitrate))] : ['-b:v', '0'];
  return [
    '-v', 'error', '-y', ...rawInput(settings),
    ...(scale ? ['-vf', scale] : []),
    '-an', '-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-crf', String(settings.crf ?? 32), ...bitrate,
    // Measured on a 3 s 512 px clip: realtime/cpu-used 5 is ~3x faster than good/cpu-used 4 for ~15% more
    // bytes, which the 256 KB budget easily absorbs (about 110 KB).
    '-deadline', 'realtime', '-cpu-used', '5', '-row-mt', '1', '-f', 'webm', outputPath,
  ];
}
