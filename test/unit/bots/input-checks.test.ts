import { describe, expect, it } from 'vitest';
import { sniffClip, sniffImage } from '../../../src/bots/input-checks.ts';
import { CLIP, OTHER_PHOTO, PHOTO } from './service-fixtures.ts';

describe('input sniffing', () => {
  it('recognises real photos and clips by their bytes, not their names', () => {
    expect(sniffImage(PHOTO)).toBe('jpeg');
    expect(sniffImage(OTHER_PHOTO)).toBe('png');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImage(CLIP)).toBeUndefined();
    expect(sniffImage(Buffer.from('<html>'))).toBeUndefined();
    expect(sniffClip(CLIP)).toBe('mp4');
    expect(sniffClip(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0]))).toBe('webm');
    expect(sniffClip(Buffer.from('GIF89a....'))).toBe('gif');
    expect(sniffClip(PHOTO)).toBeUndefined();
  });
});
