import { describe, expect, it } from 'vitest';
import { defaultFontStack, parseUnicodeRange } from '../../../../src/pipeline/media/caption-fonts.ts';
import { compositeRgba } from '../../../../src/pipeline/media/composite.ts';
import { MAX_CAPTION_HEIGHT_SHARE, layoutCaptions, measureWith, renderCaptionOverlay } from '../../../../src/pipeline/media/captions.ts';

const fonts = defaultFontStack();

function pixelStats(rgba: Uint8Array, width: number, y0: number, y1: number) {
  let white = 0;
  let black = 0;
  let clear = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (rgba[i + 3] === 0) clear++;
      else if (rgba[i + 3] > 240 && rgba[i] > 240 && rgba[i + 1] > 240 && rgba[i + 2] > 240) white++;
      else if (rgba[i + 3] > 240 && rgba[i] < 15 && rgba[i + 1] < 15 && rgba[i + 2] < 15) black++;
    }
  }
  return { white, black, clear };
}

describe('caption fonts', () => {
  it('parses CSS unicode ranges', () => {
    expect(parseUnicodeRange('U+0000-00FF, U+0131,U+4E??')).toEqual([[0, 255], [0x131, 0x131], [0x4e00, 0x4eff]]);
  });

  it('finds a font with a real glyph for accented Latin, Cyrillic, Greek and CJK (no tofu)', () => {
    const names = new Map<string, string>();
    for (const char of 'AÉÑŒЖЩΩΔ测试失败了你好世界') {
      const font = fonts.fontFor(char);
      expect(font, char).not.toBeNull();
      expect(font!.charToGlyphIndex(char), char).toBeGreaterThan(0);
      expect(font!.charToGlyph(char).getPath(0, 0, 40).commands.length, char).toBeGreaterThan(0);
      names.set(char, font!.getEnglishName('fontFamily'));
    }
    expect(names.get('A')).toMatch(/Anton/);
    expect(names.get('Ж')).toMatch(/DejaVu/);
    expect(names.get('测')).toMatch(/Noto Sans SC/);
  });

  it('has no font for an unassigned code point (skipped, not boxed)', () => {
    expect(fonts.fontFor('\u{10FFFD}')).toBeNull();
    expect(measureWith(fonts)('\u{10FFFD}')).toBe(0);
  });
});

describe('layoutCaptions', () => {
  it('places top and bottom captions inside the frame, each within 25% of its height', () => {
    const placed = layoutCaptions({ top: 'one does not simply', bottom: 'write a caption layout engine in an afternoon without tests' }, 400, 300);
    expect(placed.map((p) => p.position)).toEqual(['top', 'bottom']);
    const measure = measureWith(fonts);
    for (const caption of placed) {
      expect(caption.heightPx).toBeLessThanOrEqual(MAX_CAPTION_HEIGHT_SHARE * 300 + 1e-6);
      expect(caption.topPx).toBeGreaterThanOrEqual(0);
      expect(caption.topPx + caption.heightPx).toBeLessThanOrEqual(300);
      for (const line of caption.lines) expect(measure(line) * caption.fontPx).toBeLessThanOrEqual(400);
      expect(caption.lines.join(' ')).toBe(caption.lines.join(' ').toUpperCase());
    }
    expect(placed[1].lines.length).toBeGreaterThan(1);
  });

  it('leaves out empty captions', () => {
    expect(layoutCaptions({ top: '  ', bottom: '' }, 200, 200)).toEqual([]);
  });
});

describe('renderCaptionOverlay', () => {
  it('returns null when there is nothing to draw', async () => {
    expect(await renderCaptionOverlay({}, 128, 128)).toBeNull();
  });

  it('draws white letters with a black outline at the top, transparent elsewhere', async () => {
    const overlay = (await renderCaptionOverlay({ top: 'MEME' }, 256, 256))!;
    expect(overlay.length).toBe(256 * 256 * 4);
    const top = pixelStats(overlay, 256, 0, 64);
    expect(top.white).toBeGreaterThan(500);
    expect(top.black).toBeGreaterThan(200);
    const rest = pixelStats(overlay, 256, 80, 256);
    expect(rest.clear).toBe(256 * 176);
  });

  it('renders Cyrillic and CJK bottom captions as ink, not empty boxes', async () => {
    const overlay = (await renderCaptionOverlay({ bottom: 'привет 你好世界' }, 256, 256))!;
    const bottom = pixelStats(overlay, 256, 192, 256);
    expect(bottom.white).toBeGreaterThan(300);
    expect(bottom.black).toBeGreaterThan(100);
    expect(pixelStats(overlay, 256, 0, 150).clear).toBe(256 * 150);
  });

  it('the overlay composited onto frames (as render.ts does per frame) leaves uncovered pixels alone', async () => {
    const overlay = (await renderCaptionOverlay({ top: 'TOP TEXT' }, 64, 64))!;
    const frames = { width: 64, height: 64, fps: 10, frames: [new Uint8Array(64 * 64 * 3).fill(100), new Uint8Array(64 * 64 * 3).fill(100)] };
    for (const frame of frames.frames) {
      compositeRgba(frame, overlay, frames.width, frames.height);
      expect(frame.some((v) => v > 200)).toBe(true);
      expect(frame[(60 * 64 + 32) * 3]).toBe(100);
    }
  });
});
