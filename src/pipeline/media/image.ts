// The only module that imports sharp: photo decoding with size caps, resizing, PNG/JPEG encoding, SVG rasterising.
// Caps are checked from the header before any full decode; nothing here knows about faces or memes.
import sharp from 'sharp';
import { DEFAULT_INPUT_LIMITS } from '../../config.ts';
import { InputError, MemeError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import { sniffImageMime } from './file-type.ts';


export interface ImageLimits {
  /** Largest accepted width * height (the header's own numbers); default: the photo pixel limit in config. */
  maxPixels?: number;
  /** Default: the photo byte limit in config. */
  maxBytes?: number;
  /** Smallest accepted shorter side. */
  minSide?: number;
}

/** Below this a face is a few dozen pixels: nothing to animate. */
const DEFAULT_MIN_SIDE = 64;

async function readHeader(bytes: Buffer): Promise<sharp.Metadata> {
  try {
    // metadata() reads only the header, so no pixel limit here: we want the real size to say "too large".
    return await sharp(bytes, { limitInputPixels: false, failOn: 'none' }).metadata();
  } catch (error) {
    // The magic number said photo, but the header does not parse: a damaged file.
    throw new InputError('IMAGE_UNREADABLE', `the image header is unreadable: ${(error as Error).message}`);
  }
}

/**
 * Decodes a photo to RGB: EXIF orientation applied, alpha flattened onto white. Refuses non-images,
 * files over maxBytes, headers over maxPixels (decompression bombs never get decoded) and tiny images.
 */
export async function decodeImage(bytes: Buffer, limits: ImageLimits = {}): Promise<RgbImage> {
  const { maxPixels = DEFAULT_INPUT_LIMITS.maxPhotoPixels, maxBytes = DEFAULT_INPUT_LIMITS.maxPhotoBytes, minSide = DEFAULT_MIN_SIDE } = limits;
  if (bytes.length > maxBytes) {
    throw new InputError('IMAGE_TOO_LARGE', `the image is ${bytes.length} bytes, over the ${maxBytes}-byte limit`, { bytes: bytes.length, maxBytes });
  }
  if (!sniffImageMime(bytes)) throw new InputError('NOT_AN_IMAGE', 'the file is not a JPEG, PNG, WebP, GIF, AVIF or TIFF image');
  const header = await readHeader(bytes);
  const { width = 0, height = 0 } = header;
  if (!(width > 0 && height > 0)) throw new InputError('IMAGE_UNREADABLE', 'the image header has no dimensions');
  if (width * height > maxPixels) {
    throw new InputError('IMAGE_TOO_LARGE', `the image is ${width}x${height}, over ${maxPixels / 1e6} megapixels`, { width, height, maxPixels });
  }
  if (Math.min(width, height) < minSide) {
    throw new InputError('IMAGE_TOO_SMALL', `the image is ${width}x${height}; each side must be at least ${minSide} px`, { width, height, minSide });
  }
  try {
    // failOn 'error' refuses truncated or corrupt data instead of returning a half-grey picture.
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new InputError('IMAGE_UNREADABLE', `the image is corrupt or truncated: ${(error as Error).message}`);
  }
}

function rawInput(image: RgbImage, channels: 3 | 4 = 3): sharp.Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels } });
}

function checkImage(image: RgbImage): void {
  if (image.data.length !== image.width * image.height * 3) {
    throw new MemeError('BAD_TENSOR', `RgbImage ${image.width}x${image.height} has ${image.data.length} bytes`);
  }
}

/** Shrinks so that the longer side is at most maxSide (aspect kept); never enlarges. */
export async function resizeToFit(image: RgbImage, maxSide: number): Promise<RgbImage> {
  checkImage(image);
  if (Math.max(image.width, image.height) <= maxSide) return image;
  const scale = maxSide / Math.max(image.width, image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data, info } = await rawInput(image).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function encodePng(image: RgbImage): Promise<Buffer> {
  checkImage(image);
  return rawInput(image).png({ compressionLevel: 6 }).toBuffer();
}

export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  checkImage(image);
  return rawInput(image).jpeg({ quality, mozjpeg: false }).toBuffer();
}

/** Renders an SVG document to exactly width x height RGBA (straight, not premultiplied, alpha). */
export async function rasterizeSvg(svg: string, width: number, height: number): Promise<Uint8Array> {
  const { data, info } = await sharp(Buffer.from(svg), { limitInputPixels: false })
    .resize(width, height, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4) {
    throw new MemeError('INTERNAL', `SVG rendered to ${info.width}x${info.height}x${info.channels}, wanted ${width}x${height}x4`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
