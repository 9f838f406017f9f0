import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as hb from 'harfbuzzjs';
import { describe, expect, it } from 'vitest';
import { parseUnicodeRange } from '../../../../../src/pipeline/media/captions/font-sources.ts';
import { defaultFontStack } from '../../../../../src/pipeline/media/captions/font-stack.ts';
import { sfntFromWoff } from '../../../../../src/pipeline/media/captions/woff.ts';
import { legacyCharset } from './caption-checks.ts';

const require = createRequire(import.meta.url);
const fonts = defaultFontStack();
const cp = (char: string) => [...char].map((c) => c.codePointAt(0)!);

describe('sfntFromWoff', () => {
  it('unpacks a fontsource WOFF into an OpenType font HarfBuzz reads, and leaves TTF bytes alone', () => {
    const dir = path.dirname(require.resolve('@fontsource/anton/package.json'));
    const woff = readFileSync(path.join(dir, 'files', 'anton-latin-400-normal.woff'));
    expect(new hb.Face(new hb.Blob(woff)).collectUnicodes().length).toBe(0); // HarfBuzz cannot read WOFF itself
    const sfnt = sfntFromWoff(woff);
    expect(new DataView(sfnt.buffer).getUint32(0)).toBe(0x00010000); // TrueType outlines
    const face = new hb.Face(new hb.Blob(sfnt));
    expect(face.collectUnicodes()).toContain(0x41);
    expect(new hb.Font(face).glyphToJson(new hb.Font(face).nominalGlyph(0x41)!).length).toBeGreaterThan(3);
    const ttf = readFileSync(path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf'));
    expect(sfntFromWoff(ttf)).toBe(ttf);
  });
});

describe('caption font stack', () => {
  it('parses CSS unicode ranges', () => {
    expect(parseUnicodeRange('U+0000-00FF, U+0131,U+4E??')).toEqual([
      [0, 255],
      [0x131, 0x131],
      [0x4e00, 0x4eff],
    ]);
  });

  it('has a real glyph for Latin, Cyrillic, Greek, CJK, kana, Hangul, Arabic, Hebrew, Devanagari and Thai, each from its family', () => {
    const expected: Record<string, RegExp> = {
      A: /^Anton$/,
      É: /^Anton$/,
      Ж: /^Noto Sans$/,
      Ω: /^Noto Sans$/,
      测: /^Noto Sans SC$/,
      あ: /^Noto Sans SC$/,
      한: /^Noto Sans KR$/,
      ب: /^Noto Sans Arabic$/,
      ש: /^Noto Sans Hebrew$/,
      क: /^Noto Sans Devanagari$/,
      ก: /^Noto Sans Thai$/,
      ა: /^DejaVu Sans Bold$/, // Georgian: only the last fallback has it
    };
    for (const [char, family] of Object.entries(expected)) {
      const font = fonts.fontFor(cp(char));
      expect(font?.family, char).toMatch(family);
      expect(font!.hb.glyphToJson(font!.hb.nominalGlyph(cp(char)[0])!).length, char).toBeGreaterThan(0);
    }
  });

  it('covers the ideographs of GB2312 level 1, JIS X 0208 and all but a few of Big5 level 1', () => {
    const uncovered = (chars: string[]) => chars.filter((c) => !fonts.fontFor(cp(c)));
    expect(uncovered(legacyCharset('gb18030', [0xb0, 0xd7], [0xa1, 0xfe]))).toEqual([]);
    expect(uncovered(legacyCharset('euc-jp', [0xb0, 0xf4], [0xa1, 0xfe]))).toEqual([]);
    const big5 = legacyCharset('big5', [0xa4, 0xc6], [0x40, 0x7e], [0xa1, 0xfe]);
    expect(big5.length).toBeGreaterThan(5000);
    // Google's Noto CJK subsets leave out a handful of rare Big5 level-1 characters; those get a note.
    expect(uncovered(big5).length).toBeLessThanOrEqual(10);
  });

  it('has no font for an unassigned code point or an Egyptian hieroglyph (the caller reports those)', () => {
    expect(fonts.fontFor([0x10fffd])).toBeNull();
    expect(fonts.fontFor([0x13000])).toBeNull();
  });

  it('scales fallback fonts towards the primary font’s capital height, within bounds', () => {
    expect(fonts.primary.family).toBe('Anton');
    expect(fonts.primary.sizeAdjust).toBe(1);
    for (const char of 'Жب한') expect(fonts.fontFor(cp(char))!.sizeAdjust).toBeGreaterThan(1);
    for (const char of 'Жب한') expect(fonts.fontFor(cp(char))!.sizeAdjust).toBeLessThanOrEqual(1.15);
  });
});
