import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS } from '../../../../src/config.ts';
import { MemeError } from '../../../../src/errors.ts';
import { compositeRgba } from '../../../../src/pipeline/media/composite.ts';
import { sniffImageMime } from '../../../../src/pipeline/media/file-type.ts';
import { decodeImage, encodeJpeg, encodePng, rasterizeSvg, resizeToFit } from '../../../../src/pipeline/media/image.ts';
import { referenceImage } from './media-fixtures.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(MemeError);
  return (error as MemeError).code;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  let crc = 0xffffffff;
  for (const byte of body) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0, body.length + 4);
  return out;
}

/** A valid-looking 10000x6000 RGB PNG whose (few hundred byte) IDAT would inflate to ~180 MB. */
function pngBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(10_000, 0);
  ihdr.writeUInt32BE(6_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const idat = deflateSync(Buffer.alloc(10_000 * 3 + 1), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('decodeImage', () => {
  it('decodes a fixture photo to RGB', async () => {
    const image = await decodeImage(readFileSync(referenceImage('trump.jpg')));
    expect(image.width).toBeGreaterThan(64);
    expect(image.data.length).toBe(image.width * image.height * 3);
  });

  it('refuses a text file renamed .jpg as NOT_AN_IMAGE', async () => {
    expect(await codeOf(decodeImage(Buffer.from('this is not a photo at all, just some text\n'.repeat(20))))).toBe('NOT_AN_IMAGE');
  });

  it('refuses a truncated JPEG as IMAGE_UNREADABLE (a damaged photo, not "not a photo")', async () => {
    const bytes = readFileSync(referenceImage('trump.jpg'));
    expect(await codeOf(decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2))))).toBe('IMAGE_UNREADABLE');
  });

  it('refuses a 60 MP decompression bomb from its header, before decoding', async () => {
    const bomb = pngBomb();
    expect(bomb.length).toBeLessThan(2000);
    const started = performance.now();
    expect(await codeOf(decodeImage(bomb))).toBe('IMAGE_TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses more bytes than the photo limit (config default, or the one given), naming it', async () => {
    const big = Buffer.alloc(DEFAULT_INPUT_LIMITS.maxPhotoBytes + 1);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    expect(await codeOf(decodeImage(big))).toBe('IMAGE_TOO_LARGE');
    const error = await decodeImage(big.subarray(0, 5000), { maxBytes: 4000 }).catch((e: unknown) => e as MemeError);
    expect((error as MemeError).details).toMatchObject({ bytes: 5000, maxBytes: 4000 });
  });

  it('refuses a photo over the pixel limit from its header, naming both sizes', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).png().toBuffer();
    const error = await decodeImage(png, { maxPixels: 100_000 }).catch((e: unknown) => e as MemeError);
    expect(error).toMatchObject({ code: 'IMAGE_TOO_LARGE', details: { width: 400, height: 300, maxPixels: 100_000 } });
  });

  it('refuses a 10x10 image as IMAGE_TOO_SMALL', async () => {
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#808080' } }).png().toBuffer();
    expect(await codeOf(decodeImage(tiny))).toBe('IMAGE_TOO_SMALL');
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    // Left half red, right half blue, stored sideways: upright, red must be on top.
    const raw = Buffer.alloc(120 * 80 * 3);
    for (let i = 0; i < 120 * 80; i++) raw.set((i % 120) < 60 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const jpeg = await sharp(raw, { raw: { width: 120, height: 80, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(jpeg);
    expect([image.width, image.height]).toEqual([80, 120]);
    const at = (x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));
    expect(at(40, 10)[0]).toBeGreaterThan(200);
    expect(at(40, 10)[2]).toBeLessThan(60);
    expect(at(40, 110)[2]).toBeGreaterThan(200);
  });

  it('flattens transparency onto white', async () => {
    const png = await sharp({ create: { width: 80, height: 80, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const image = await decodeImage(png);
    expect(Array.from(image.data.subarray(0, 3))).toEqual([255, 255, 255]);
  });
});

describe('resize, encode, rasterise', () => {
  const image = { width: 300, height: 200, data: new Uint8Array(300 * 200 * 3).fill(90) };

  it('resizeToFit shrinks to the longest side and never enlarges', async () => {
    const small = await resizeToFit(image, 150);
    expect([small.width, small.height]).toEqual([150, 100]);
    expect(small.data.length).toBe(150 * 100 * 3);
    expect(await resizeToFit(image, 1000)).toBe(image);
  });

  it('encodes PNG and JPEG that decode back', async () => {
    const png = await encodePng(image);
    const jpeg = await encodeJpeg(image, 80);
    expect(sniffImageMime(png)).toBe('image/png');
    expect(sniffImageMime(jpeg)).toBe('image/jpeg');
    const back = await decodeImage(png);
    expect([back.width, back.height, back.data[0]]).toEqual([300, 200, 90]);
  });

  it('rasterizeSvg returns straight RGBA at the asked size', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect x="0" y="0" width="20" height="20" fill="#00ff00"/></svg>';
    const rgba = await rasterizeSvg(svg, 40, 20);
    expect(rgba.length).toBe(40 * 20 * 4);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 255, 0, 255]);
    expect(rgba[(10 * 40 + 30) * 4 + 3]).toBe(0);
  });
});

describe('compositeRgba', () => {
  it('blends by alpha: opaque replaces, transparent keeps, half mixes', () => {
    const frame = new Uint8Array([100, 100, 100, 100, 100, 100, 100, 100, 100]);
    const overlay = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 0, 200, 200, 200, 128]);
    compositeRgba(frame, overlay, 3, 1);
    expect(Array.from(frame)).toEqual([255, 0, 0, 100, 100, 100, 150, 150, 150]);
  });

  it('rejects mismatched sizes', () => {
    expect(() => compositeRgba(new Uint8Array(6), new Uint8Array(4), 2, 1)).toThrow(RangeError);
  });
});
