// Checks on a request that need no decoding: byte limits, the file-type rule (pipeline/media owns it), caption
// lengths, option shapes. Decoding, pixel limits, faces and clip lengths are the inspector's (pipeline/).
import type { InputLimits } from '../config.ts';
import { InputError } from '../errors.ts';
import { sniffImageMime, sniffVideoContainer } from '../pipeline/media/file-type.ts';
import type { EngineName } from '../pipeline/meme-spec.ts';
import type { MemeRequest } from './service-types.ts';

const FORMATS = new Set(['gif', 'mp4', 'webm']);

/** Throws NO_PHOTO, IMAGE_TOO_LARGE or NOT_AN_IMAGE. */
export function checkPhotoBytes(photo: Buffer | undefined, limits: InputLimits): void {
  if (!Buffer.isBuffer(photo) || photo.length === 0) throw new InputError('NO_PHOTO', 'no photo was given');
  if (photo.length > limits.maxPhotoBytes) {
    throw new InputError('IMAGE_TOO_LARGE', `the photo is ${photo.length} bytes; the limit is ${limits.maxPhotoBytes}`, { bytes: photo.length, maxBytes: limits.maxPhotoBytes });
  }
  if (!sniffImageMime(photo)) throw new InputError('NOT_AN_IMAGE', 'the photo is not a JPEG, PNG, WebP, GIF, AVIF or TIFF');
}

/** Throws VIDEO_TOO_LARGE or NOT_A_VIDEO; returns the container's file extension (for staging the clip on disk). */
export function checkClipBytes(clip: Buffer, limits: InputLimits): string {
  if (clip.length > limits.maxDriverBytes) {
    throw new InputError('VIDEO_TOO_LARGE', `the clip is ${clip.length} bytes; the limit is ${limits.maxDriverBytes}`, { bytes: clip.length, maxBytes: limits.maxDriverBytes });
  }
  const ext = sniffVideoContainer(clip.subarray(0, 512));
  if (!ext) throw new InputError('NOT_A_VIDEO', 'the clip is not a video container ffmpeg may open');
  return ext;
}

/** Throws CAPTION_TOO_LONG for a caption over the limit (counted in characters, not UTF-16 units). */
export function checkCaptionLength(text: string | undefined, limits: InputLimits): void {
  const chars = text === undefined ? 0 : [...text].length;
  if (chars > limits.maxCaptionChars) {
    throw new InputError('CAPTION_TOO_LONG', `a caption is ${chars} characters; the limit is ${limits.maxCaptionChars}`, { chars, maxChars: limits.maxCaptionChars });
  }
}

/** Throws the InputError a user should see for the first problem in the request; returns the clip's extension. */
export function checkRequest(request: MemeRequest, limits: InputLimits): { clipExt?: string } {
  checkPhotoBytes(request.photo, limits);
  if (!FORMATS.has(request.format)) throw new InputError('UNSUPPORTED_FORMAT', `format ${String(request.format)}`);
  if (request.templateId && request.driver) {
    throw new InputError('BAD_OPTION', 'a template and a clip were both given', { detail: 'choose a template or send a clip, not both' });
  }
  if (!request.templateId && !request.driver) {
    throw new InputError('BAD_OPTION', 'neither a template nor a clip', { detail: 'choose a template or send a clip' });
  }
  const clipExt = request.driver ? checkClipBytes(request.driver.bytes, limits) : undefined;
  checkCaptionLength(request.captions?.top, limits);
  checkCaptionLength(request.captions?.bottom, limits);
  if (request.seed !== undefined && !Number.isInteger(request.seed)) {
    throw new InputError('BAD_OPTION', 'seed must be an integer', { detail: 'the seed must be a whole number' });
  }
  return { clipExt };
}

/**
 * A style (already a known id) is a HelloMeme LoRA: refused with the reason when the job would run on warp, or when
 * the backend knows its installed styles and this is not one of them.
 */
export function checkStyle(style: string, engine: EngineName, priority: MemeRequest['priority'], installed: readonly string[] | undefined): void {
  if (engine !== 'hellomeme') {
    const detail = priority === 'preview' ? 'styles need full quality, and this chat uses the fast preview engine' : 'styles need the HelloMeme engine, which is not running here';
    throw new InputError('BAD_OPTION', `style ${style} on the ${engine} engine`, { detail });
  }
  if (installed && !installed.includes(style)) {
    throw new InputError('BAD_OPTION', `style ${style} is not installed`, { detail: `the '${style}' style is not installed on this bot (installed: ${installed.length ? installed.join(', ') : 'none'})` });
  }
}
