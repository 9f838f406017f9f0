import { describe, expect, it } from 'vitest';
import { breakWord, fitCaption, memeText, tokenize, wrapTokens } from '../../../../src/pipeline/media/caption-layout.ts';

/** Monospace measure: every character 0.5 em, spaces included. */
const mono = (text: string) => [...text].length * 0.5;

describe('memeText', () => {
  it('upper-cases in the given locale, collapses whitespace, leaves CJK alone', () => {
    expect(memeText('  hello\n  wörld  ')).toBe('HELLO WÖRLD');
    expect(memeText('istanbul', 'tr')).toBe('İSTANBUL');
    expect(memeText('привет αβγ 你好')).toBe('ПРИВЕТ ΑΒΓ 你好');
  });
});

describe('tokenize', () => {
  it('splits words at spaces and CJK into single characters', () => {
    expect(tokenize('ONE TWO')).toEqual([
      { text: 'ONE', spaceBefore: false },
      { text: 'TWO', spaceBefore: true },
    ]);
    expect(tokenize('AB你好 C').map((t) => t.text)).toEqual(['AB', '你', '好', 'C']);
    expect(tokenize('AB你好 C').map((t) => t.spaceBefore)).toEqual([false, false, false, true]);
  });
});

describe('wrapTokens', () => {
  it('fills lines greedily without exceeding the width', () => {
    const lines = wrapTokens(tokenize('AAA BBB CCC DDD'), mono, 4);
    expect(lines).toEqual(['AAA BBB', 'CCC DDD']);
    expect(lines.every((l) => mono(l) <= 4)).toBe(true);
  });

  it('breaks a word longer than the line', () => {
    expect(breakWord('ABCDEFGHIJ', mono, 2)).toEqual(['ABCD', 'EFGH', 'IJ']);
    expect(wrapTokens(tokenize('HI ABCDEFGHIJ'), mono, 2)).toEqual(['HI', 'ABCD', 'EFGH', 'IJ']);
  });

  it('breaks CJK text between any two characters, without adding spaces', () => {
    const lines = wrapTokens(tokenize('一二三四五六七'), mono, 1.5);
    expect(lines).toEqual(['一二三', '四五六', '七']);
  });
});

describe('fitCaption', () => {
  const box = { maxWidthPx: 200, maxHeightPx: 60, maxFontPx: 50, minFontPx: 8, lineHeightEm: 1.1 };

  it('keeps short text on one line at the largest size that fits the width', () => {
    const layout = fitCaption('HELLO', mono, box);
    expect(layout.lines).toEqual(['HELLO']);
    expect(layout.fontPx).toBeLessThanOrEqual(50);
    expect(mono('HELLO') * layout.fontPx).toBeLessThanOrEqual(200);
    expect(layout.truncated).toBe(false);
  });

  it('shrinks and wraps long text until it fits the height, largest size first', () => {
    const text = 'THIS IS A RATHER LONG CAPTION THAT NEEDS SEVERAL LINES';
    const layout = fitCaption(text, mono, box);
    expect(layout.lines.length).toBeGreaterThan(1);
    expect(layout.heightPx).toBeLessThanOrEqual(60);
    expect(Math.max(...layout.lines.map(mono)) * layout.fontPx).toBeLessThanOrEqual(200);
    expect(layout.lines.join(' ')).toBe(text);
    // The size one step larger (sizes step down by 6% from maxFontPx) would not have fitted.
    expect(layout.fontPx).toBeLessThan(box.maxFontPx);
    const larger = layout.fontPx / 0.94;
    const linesAtLarger = wrapTokens(tokenize(text), mono, box.maxWidthPx / larger);
    const fitsAtLarger = linesAtLarger.length * box.lineHeightEm * larger <= box.maxHeightPx && Math.max(...linesAtLarger.map(mono)) * larger <= box.maxWidthPx;
    expect(fitsAtLarger).toBe(false);
  });

  it('truncates at the smallest size when the text cannot fit and says so', () => {
    const layout = fitCaption('WORD '.repeat(400), mono, box);
    expect(layout.fontPx).toBe(8);
    expect(layout.truncated).toBe(true);
    expect(layout.heightPx).toBeLessThanOrEqual(60);
  });

  it('returns no lines for blank text', () => {
    expect(fitCaption('   ', mono, box).lines).toEqual([]);
  });
});
