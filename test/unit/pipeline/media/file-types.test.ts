// Pins the one file-type rule (image-mime.ts for photos, video-info.ts for clips): what it accepts is exactly
// what the decoders read, and everything else (PDF, BMP, HEIC, text, photos sent as clips) is refused by bytes.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkClipBytes, checkPhotoBytes } from '../../../../src/bots/input-checks.ts';
import { DEFAULT_INPUT_LIMITS } from '../../../../src/config.ts';
import { decodeImage, encodePng } from '../../../../src/pipeline/media/image.ts';
import { sniffImageMime, sniffVideoContainer } from '../../../../src/pipeline/media/file-type.ts';
import { driveVideo, referenceImage } from './media-fixtures.ts';

const gradient = { width: 96, height: 80, data: new Uint8Array(96 * 80 * 3).map((_, i) => (i * 5) % 256) };

describe('photo file types', () => {
  it('accepts exactly the containers sharp decodes here, and each one decodes', async () => {
    const png = await encodePng(gradient);
    const encoded: Record<string, Buffer> = {
      'image/jpeg': await sharp(png).jpeg().toBuffer(),
      'image/png': png,
      'image/webp': await sharp(png).webp().toBuffer(),
      'image/gif': await sharp(png).gif().toBuffer(),
      'image/avif': await sharp(png).avif().toBuffer(),
      'image/tiff': await sharp(png).tiff().toBuffer(),
    };
    for (const [mime, bytes] of Object.entries(encoded)) {
      expect(sniffImageMime(bytes), mime).toBe(mime);
      const decoded = await decodeImage(bytes);
      expect([decoded.width, decoded.height], mime).toEqual([96, 80]);
    }
  });

  it('refuses PDF, BMP, HEIC, text and video by their bytes', () => {
    const bmp = Buffer.alloc(64);
    bmp.write('BM', 0, 'latin1');
    const heic = Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1');
    for (const bytes of [Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj', 'latin1'), bmp, heic, Buffer.from('<html>'), readFileSync(driveVideo('nice.mp4'))]) {
      expect(sniffImageMime(bytes)).toBeNull();
      expect(() => checkPhotoBytes(bytes, DEFAULT_INPUT_LIMITS)).toThrow(expect.objectContaining({ code: 'NOT_AN_IMAGE' }));
    }
    expect(() => checkPhotoBytes(Buffer.alloc(0), DEFAULT_INPUT_LIMITS)).toThrow(expect.objectContaining({ code: 'NO_PHOTO' }));
  });
});

describe('clip file types', () => {
  it('names the container of real clips and refuses photos, playlists and text', () => {
    expect(sniffVideoContainer(readFileSync(driveVideo('nice.mp4')))).toBe('mp4');
    expect(sniffVideoContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0]))).toBe('webm');
    expect(sniffVideoContainer(Buffer.from('GIF89a....'))).toBe('gif');
    for (const bytes of [readFileSync(referenceImage('trump.jpg')), Buffer.from('#EXTM3U\nhttp://example.org/x.ts\n'), Buffer.from('%PDF-1.4')]) {
      expect(sniffVideoContainer(bytes)).toBeUndefined();
      expect(() => checkClipBytes(bytes, DEFAULT_INPUT_LIMITS)).toThrow(expect.objectContaining({ code: 'NOT_A_VIDEO' }));
    }
  });

  it('refuses a clip over the byte limit with the limit in its details', () => {
    const limits = { ...DEFAULT_INPUT_LIMITS, maxDriverBytes: 1000 };
    expect(() => checkClipBytes(readFileSync(driveVideo('nice.mp4')), limits)).toThrow(
      expect.objectContaining({ code: 'VIDEO_TOO_LARGE', details: expect.objectContaining({ maxBytes: 1000 }) }),
    );
  });
});
