// Cheap checks on what a user sent, before anything is decoded: sizes, magic numbers, caption lengths.
// The pipeline does the full validation (decode, dimensions, face); this only refuses the obvious early.
import { InputError } from '../errors.ts';
import type { MemeRequest } from './service-types.ts';

export type ImageKind = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';
export type ClipKind = 'mp4' | 'webm' | 'gif';

export interface InputLimits {
  maxPhotoBytes: number;
  maxDriverBytes: number;
  maxCaptionChars: number;
}

const FORMATS = new Set(['gif', 'mp4', 'webm']);

function startsWith(bytes: Buffer, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.length >= end ? bytes.toString('latin1', start, end) : '';
}

/** The image container the bytes start with, or undefined when it is none we decode. */
export function sniffImage(bytes: Buffer): ImageKind | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(bytes, 4, 8) === 'ftyp' && ['avif', 'avis'].includes(ascii(bytes, 8, 12))) return 'avif';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return undefined;
}

/** The video container the bytes start with (ISO-BMFF, Matroska/WebM, GIF), or undefined. */
export function sniffClip(bytes: Buffer): ClipKind | undefined {
  if (ascii(bytes, 4, 8) === 'ftyp') return 'mp4';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'webm';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'gif';
  return undefined;
}

/** Throws the InputError a user should see for the first problem in the request; returns the sniffed kinds. */
export function checkRequest(request: MemeRequest, limits: InputLimits): { image: ImageKind; clip?: ClipKind } {
  const photo = request.photo;
  if (!Buffer.isBuffer(photo) || photo.length === 0) throw new InputError('NOT_AN_IMAGE', 'the photo is empty');
  if (photo.length > limits.maxPhotoBytes) {
    throw new InputError('IMAGE_TOO_LARGE', `photo is ${photo.length} bytes`, { maxBytes: limits.maxPhotoBytes });
  }
  const image = sniffImage(photo);
  if (!image) throw new InputError('NOT_AN_IMAGE', 'the photo is not a JPEG, PNG, WebP, GIF, AVIF or TIFF');
  if (!FORMATS.has(request.format)) throw new InputError('UNSUPPORTED_FORMAT', `format ${String(request.format)}`);
  if (request.templateId && request.driver) {
    throw new InputError('BAD_OPTION', 'a template and a clip were both given', { detail: 'choose a template or send a clip, not both' });
  }
  if (!request.templateId && !request.driver) {
    throw new InputError('BAD_OPTION', 'neither a template nor a clip', { detail: 'choose a template or send a clip' });
  }
  let clip: ClipKind | undefined;
  if (request.driver) {
    const bytes = request.driver.bytes;
    if (bytes.length > limits.maxDriverBytes) {
      throw new InputError('VIDEO_TOO_LARGE', `clip is ${bytes.length} bytes`, { maxBytes: limits.maxDriverBytes });
    }
    clip = sniffClip(bytes);
    if (!clip) throw new InputError('NOT_A_VIDEO', 'the clip is not an MP4, WebM or GIF');
  }
  for (const [place, text] of Object.entries(request.captions ?? {})) {
    if (typeof text === 'string' && [...text].length > limits.maxCaptionChars) {
      throw new InputError('BAD_OPTION', `${place} caption too long`, {
        detail: `captions can be at most ${limits.maxCaptionChars} characters`,
      });
    }
  }
  if (request.seed !== undefined && !Number.isInteger(request.seed)) {
    throw new InputError('BAD_OPTION', 'seed must be an integer', { detail: 'the seed must be a whole number' });
  }
  return { image, clip };
}
