// The one rule for which photo files are accepted, by their magic numbers, before any decoder sees the bytes:
// exactly the containers the bundled sharp decodes here (JPEG, PNG, WebP, GIF, AVIF, TIFF). BMP has no libvips
// loader and HEIC needs an HEVC decoder sharp does not ship, so both are refused up front as NOT_AN_IMAGE rather
// than failing later as "damaged". Pure byte inspection: no decoding, no sharp.

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
