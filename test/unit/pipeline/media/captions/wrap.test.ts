import { describe, expect, it } from 'vitest';
import { breakWord, type FitBox, fitCaption, memeText, stackHeightEm, tokenize, wrapTokens } from '../../../../../src/pipeline/media/captions/wrap.ts';

/** Monospace measure: every grapheme 0.5 em wide, capitals 0.8 em tall, nothing below the baseline. */
const mono = (text: string) => ({ width: [...new Intl.Segmenter().segment(text)].length * 0.5, top: 0.8, bottom: 0 });
const lineBox = { minAscentEm: 0.9, minDescentEm: 0.1, gapEm: 0.1 };

describe('memeText', () => {
  it('upper-cases in the given locale, collapses whitespace, drops control characters, leaves CJK alone', () => {
    expect(memeText('  hello\n  wörld  ')).toBe('HELLO WÖRLD');
    expect(memeText('istanbul', 'tr')).toBe('İSTANBUL');
    expect(memeText('привет αβγ 你好')).toBe('ПРИВЕТ ΑΒΓ 你好');
    expect(memeText('a\u0007b')).toBe('AB');
  });

  it('composes decomposed text (NFC), so Hangul jamo become syllables', () => {
    expect(memeText('\u1100\u1161')).toBe('가');
    expect(memeText('e\u0301')).toBe('É');
  });
});

describe('tokenize', () => {
  it('splits words at spaces, and space-less scripts at dictionary word boundaries', () => {
    expect(tokenize('ONE TWO')).toEqual([
      { text: 'ONE', spaceBefore: false },
      { text: 'TWO', spaceBefore: true },
    ]);
    const thai = tokenize('สวัสดีครับ');
    expect(thai.length).toBeGreaterThan(1);
    expect(thai.map((t) => t.text).join('')).toBe('สวัสดีครับ');
    expect(thai.every((t) => !t.spaceBefore)).toBe(true);
    const mixed = tokenize('AB 你好世界');
    expect(mixed[0]).toEqual({ text: 'AB', spaceBefore: false });
    expect(mixed[1].spaceBefore).toBe(true);
    expect(mixed.map((t) => t.text).join('')).toBe('AB你好世界');
  });
});

describe('wrapTokens', () => {
  it('fills lines greedily without exceeding the width', () => {
    const lines = wrapTokens(tokenize('AAA BBB CCC DDD'), mono, 4);
    expect(lines).toEqual(['AAA BBB', 'CCC DDD']);
    expect(lines.every((l) => mono(l).width <= 4)).toBe(true);
  });

  it('breaks a word longer than the line between graphemes, never inside one', () => {
    expect(breakWord('ABCDEFGHIJ', mono, 2)).toEqual(['ABCD', 'EFGH', 'IJ']);
    expect(wrapTokens(tokenize('HI ABCDEFGHIJ'), mono, 2)).toEqual(['HI', 'ABCD', 'EFGH', 'IJ']);
    // Each of these is one grapheme of several code points: a skin-toned thumb, a ZWJ family, a flag.
    expect(breakWord('👍🏽👩‍💻🇯🇵', mono, 0.5)).toEqual(['👍🏽', '👩‍💻', '🇯🇵']);
  });
});

describe('fitCaption', () => {
  const box: FitBox = { ...lineBox, maxWidthPx: 200, maxHeightPx: 60, maxFontPx: 50, readableFontPx: 25, minFontPx: 8 };

  it('keeps short text on one line at the largest size that fits the width', () => {
    const layout = fitCaption('HELLO', mono, box)!;
    expect(layout.lines).toEqual(['HELLO']);
    expect(layout.fontPx).toBe(50); // 80 px would fit the width; the largest size caps it
    expect(fitCaption('HELLO WORLD', mono, box)!.fontPx).toBeCloseTo(200 / 5.5);
  });

  it('shrinks one line while it stays readable, before wrapping', () => {
    const layout = fitCaption('ABCDEFG HIJ', mono, box)!; // 5.5 em: one line at 36 px ≥ 25 px
    expect(layout.lines).toEqual(['ABCDEFG HIJ']);
    expect(layout.fontPx).toBeCloseTo(200 / 5.5);
  });

  it('wraps long text at the largest size whose lines fit the box', () => {
    const text = 'THIS IS A RATHER LONG CAPTION THAT NEEDS SEVERAL LINES';
    const layout = fitCaption(text, mono, { ...box, maxHeightPx: 100 })!;
    expect(layout.lines.length).toBeGreaterThan(1);
    expect(layout.lines.join(' ')).toBe(text);
    expect(layout.heightPx).toBeLessThanOrEqual(100);
    expect(layout.heightPx).toBeCloseTo(stackHeightEm(layout.lines.map(mono), lineBox) * layout.fontPx);
    expect(Math.max(...layout.lines.map((l) => mono(l).width)) * layout.fontPx).toBeLessThanOrEqual(200);
    const larger = layout.fontPx / 0.94;
    const linesAtLarger = wrapTokens(tokenize(text), mono, 200 / larger);
    expect(stackHeightEm(linesAtLarger.map(mono), lineBox) * larger).toBeGreaterThan(100);
  });

  it('says when nothing fits down to the smallest size (the caller then gives it more room)', () => {
    expect(fitCaption('WORD '.repeat(400), mono, box)).toBeNull();
  });

  it('returns no lines for blank text', () => {
    expect(fitCaption('   ', mono, box)?.lines).toEqual([]);
  });

  it('stacks lines at least minAscent + minDescent tall, taller where the ink reaches further', () => {
    expect(stackHeightEm([mono('A'), mono('B')], lineBox)).toBeCloseTo(2 * (0.9 + 0.1) + 0.1);
    expect(stackHeightEm([{ width: 1, top: 1.2, bottom: -0.4 }], lineBox)).toBeCloseTo(1.6);
  });
});
