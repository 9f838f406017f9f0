// Caption layout math: meme-style text normalising, word wrapping (long words and CJK broken anywhere)
// and choosing the largest font size that fits a box. Pure functions over a width-measuring callback.

/** Width of a string in em (font-size units); the caller's fonts decide it. */
export type MeasureEm = (text: string) => number;

export interface Token {
  text: string;
  /** Whether a space separates this token from the previous one on the same line. */
  spaceBefore: boolean;
}

export interface FitBox {
  maxWidthPx: number;
  maxHeightPx: number;
  maxFontPx: number;
  minFontPx: number;
  /** Distance between baselines in em. */
  lineHeightEm: number;
}

export interface CaptionLayout {
  fontPx: number;
  lines: string[];
  heightPx: number;
  /** True when even the smallest size could not show every line within the box. */
  truncated: boolean;
}

/** Scripts written without spaces: any character may start a new line. */
const BREAK_ANYWHERE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;
/** Each font-size step is this much smaller than the last (about 6%: small enough to look continuous). */
const FONT_STEP = 0.94;

/** Classic meme text: whitespace collapsed, NFC, upper case in the given locale (CJK has no case and stays). */
export function memeText(text: string, locale?: string): string {
  const collapsed = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  return collapsed.toLocaleUpperCase(locale);
}

/** Splits text into words at spaces, and CJK runs into single characters (which need no space between). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const [index, word] of text.split(' ').filter(Boolean).entries()) {
    let current = '';
    let spaceBefore = index > 0;
    for (const char of word) {
      if (BREAK_ANYWHERE.test(char)) {
        if (current) tokens.push({ text: current, spaceBefore });
        tokens.push({ text: char, spaceBefore: current ? false : spaceBefore });
        current = '';
        spaceBefore = false;
      } else {
        current += char;
      }
    }
    if (current) tokens.push({ text: current, spaceBefore });
  }
  return tokens;
}

/** Cuts one word that is wider than the line into pieces that fit (at least one character each). */
export function breakWord(word: string, measure: MeasureEm, maxWidthEm: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (piece && measure(piece + char) > maxWidthEm) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/** Greedy line filling: as many tokens per line as fit in maxWidthEm; over-wide words are broken. */
export function wrapTokens(tokens: Token[], measure: MeasureEm, maxWidthEm: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    const joined = line ? line + (token.spaceBefore ? ' ' : '') + token.text : token.text;
    if (measure(joined) <= maxWidthEm) {
      line = joined;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    const pieces = measure(token.text) <= maxWidthEm ? [token.text] : breakWord(token.text, measure, maxWidthEm);
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1] ?? '';
  }
  if (line) lines.push(line);
  return lines;
}

/** The largest font size (from maxFontPx down) at which the wrapped text fits the box. */
export function fitCaption(text: string, measure: MeasureEm, box: FitBox): CaptionLayout {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { fontPx: box.maxFontPx, lines: [], heightPx: 0, truncated: false };
  const layoutAt = (fontPx: number) => {
    const lines = wrapTokens(tokens, measure, box.maxWidthPx / fontPx);
    return { fontPx, lines, heightPx: lines.length * box.lineHeightEm * fontPx, truncated: false };
  };
  for (let fontPx = box.maxFontPx; fontPx >= box.minFontPx; fontPx *= FONT_STEP) {
    const layout = layoutAt(fontPx);
    const widest = Math.max(...layout.lines.map(measure)) * fontPx;
    if (layout.heightPx <= box.maxHeightPx && widest <= box.maxWidthPx) return layout;
  }
  // Too much text for the box even at the smallest size: keep the lines that fit and say so.
  const smallest = layoutAt(box.minFontPx);
  const maxLines = Math.max(1, Math.floor(box.maxHeightPx / (box.lineHeightEm * box.minFontPx)));
  const lines = smallest.lines.slice(0, maxLines);
  return { fontPx: box.minFontPx, lines, heightPx: lines.length * box.lineHeightEm * box.minFontPx, truncated: lines.length < smallest.lines.length };
}
