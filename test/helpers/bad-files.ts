// The files a person sends that the bots must refuse before offering a template, made on the spot from the
// fixtures with sharp and ffmpeg (nothing large is committed): each with the code it must be refused with.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { resolveFfmpegPath } from '../../src/pipeline/media/ffmpeg.ts';
import { driveVideo, referenceImage } from './fixtures.ts';

export interface BadFile {
  name: string;
  bytes: Buffer;
  mime: string;
  /** The code of the refusal; its text (bots/messages.ts) is what the person must be shown. */
  code: string;
}

/** A JPEG cut off after 40% of its bytes: the header reads, the pixels do not. */
export async function corruptJpeg(): Promise<BadFile> {
  const jpeg = await readFile(referenceImage('majicmix2.jpg'));
  return { name: 'holiday.jpg', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.4)), mime: 'image/jpeg', code: 'IMAGE_UNREADABLE' };
}

/** 12000×12000 pixels (144 MP) in under 2 MB of PNG: over the pixel limit, far under the byte limit. */
export async function hugePng(): Promise<BadFile> {
  const bytes = await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#8a8' } }).png().toBuffer();
  return { name: 'poster.png', bytes, mime: 'image/png', code: 'IMAGE_TOO_LARGE' };
}

/** A one-page PDF, as a phone's "share as file" would send a scanned ID. */
export function pdfFile(): BadFile {
  const bytes = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return { name: 'scan.pdf', bytes, mime: 'application/pdf', code: 'NOT_AN_IMAGE' };
}

/** A smooth gradient: a valid JPEG with nothing face-like in it. */
export async function noFaceJpeg(): Promise<BadFile> {
  const gradient = Buffer.alloc(320 * 240 * 3);
  for (let i = 0; i < 320 * 240; i++) gradient.fill(40 + ((i % 320) * 0.6), i * 3, i * 3 + 3);
  const bytes = await sharp(gradient, { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toBuffer();
  return { name: 'wall.jpg', bytes, mime: 'image/jpeg', code: 'NO_FACE' };
}

/** A real meme clip looped to `seconds` (a face moving all the way), 256 px wide, as an MP4. */
export async function longFaceClip(dir: string, seconds: number): Promise<{ file: string; bytes: Buffer }> {
  const file = path.join(dir, `long-face-${seconds}s.mp4`);
  const loops = String(Math.ceil(seconds / 4.5));
  const args = ['-v', 'error', '-y', '-stream_loop', loops, '-i', driveVideo('nice.mp4'), '-t', String(seconds), '-vf', 'scale=256:-2', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file];
  await new Promise<void>((resolve, reject) => execFile(resolveFfmpegPath(), args, (error) => (error ? reject(error) : resolve())));
  return { file, bytes: await readFile(file) };
}
