// The one rule for which files are accepted, by their magic numbers, before any decoder sees the bytes. Photos:
// exactly the containers the bundled sharp decodes here (JPEG, PNG, WebP, GIF, AVIF, TIFF); BMP has no libvips
// loader and HEIC needs an HEVC decoder sharp does not ship, so both are refused up front as NOT_AN_IMAGE rather
// than failing later as "damaged". Clips: the video containers ffmpeg may open (sniffVideoContainer). Pure byte
// inspection: no decoding, no sharp, no ffmpeg. Used by the service's checks, the image decoder and the prober.

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, index) => bytes[offset + index] === value);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** The image MIME type the bytes announce, or null when they are not a photo container we decode. */
export function sniffImageMime(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  // ISO-BMFF: only the AVIF brands (an ftyp of heic/mif1 holds HEVC, which sharp cannot decode).
  if (ascii(bytes, 4, 4) === 'ftyp' && ['avif', 'avis'].includes(ascii(bytes, 8, 4))) return 'image/avif';
  return null;
}

const STILL_IMAGE_BRANDS = new Set(['heic', 'heix', 'mif1', 'msf1', 'avif', 'avis']);

/**
 * The one rule for which clip files are accepted: the file extension of the video container the bytes start
 * with (MP4/MOV, Matroska/WebM, GIF, AVI, MPEG-TS/PS, FLV, Ogg, raw H.264/HEVC), or undefined. Only such files
 * reach ffmpeg: text formats like HLS playlists or concat lists could make it open other files or URLs.
 */
export function sniffVideoContainer(head: Uint8Array): string | undefined {
  const text = (offset: number, length: number) => String.fromCharCode(...head.subarray(offset, offset + length));
  if (text(4, 4) === 'ftyp') return STILL_IMAGE_BRANDS.has(text(8, 4)) ? undefined : 'mp4';
  if (text(4, 4) === 'moov' || text(4, 4) === 'mdat' || text(4, 4) === 'free' || text(4, 4) === 'wide') return 'mov';
  if (text(0, 4) === 'OggS') return 'ogv';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  if (text(0, 4) === 'GIF8') return 'gif';
  if (text(0, 3) === 'FLV') return 'flv';
  if (text(0, 4) === 'RIFF' && text(8, 3) === 'AVI') return 'avi';
  // Annex B start code (raw H.264 / HEVC elementary streams, MPEG-PS packs).
  if (head[0] === 0 && head[1] === 0 && (head[2] === 1 || (head[2] === 0 && head[3] === 1))) return head[3] === 0xba ? 'mpg' : 'h264';
  return head[0] === 0x47 && head[188] === 0x47 ? 'ts' : undefined;
}
