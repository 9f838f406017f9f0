// Test helpers for the face tests: fixture paths, sharp decoding into RgbImage, ffmpeg decoding of clips.
// Reads the repository's fixtures only (paths from test/helpers/fixtures.ts); writes nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import sharp from 'sharp';
import type { FrameSequence, RgbImage } from '../../../../src/pipeline/types.ts';
import { REFERENCE_IMAGES, driveVideo } from '../../../helpers/fixtures.ts';

export const referenceDir = REFERENCE_IMAGES;

export function referenceImageNames(): string[] {
  return readdirSync(referenceDir)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .sort();
}

export async function toRgbImage(image: sharp.Sharp): Promise<RgbImage> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function loadReference(name: string, edit: (image: sharp.Sharp) => sharp.Sharp = (i) => i): Promise<RgbImage> {
  return toRgbImage(edit(sharp(path.join(referenceDir, name))));
}

/** Decodes the first `maxFrames` frames of a clip at `fps`, letterboxed into sizePx × sizePx RGB. */
export function decodeClip(name: string, fps: number, sizePx: number, maxFrames: number): FrameSequence {
  const filter = `fps=${fps},scale=${sizePx}:${sizePx}:force_original_aspect_ratio=decrease,pad=${sizePx}:${sizePx}:(ow-iw)/2:(oh-ih)/2`;
  const args = ['-v', 'error', '-i', driveVideo(name), '-vf', filter, '-frames:v', String(maxFrames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const run = spawnSync(ffmpeg.path, args, { maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
  const frameBytes = sizePx * sizePx * 3;
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + frameBytes <= run.stdout.length; offset += frameBytes) {
    frames.push(new Uint8Array(run.stdout.buffer, run.stdout.byteOffset + offset, frameBytes));
  }
  return { width: sizePx, height: sizePx, fps, frames };
}
