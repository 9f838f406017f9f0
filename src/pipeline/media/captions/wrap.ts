// Caption text → lines at a font size: meme-style normalising, break opportunities (spaces; dictionary word
// boundaries for scripts written without spaces), greedy wrapping, and the size choice: shrink on one line
// while it stays readable, then wrap. Pure functions over a line-measuring callback (em units).

/** A line's measured extent in em: width of its ink-and-advance box, and ink above / below the baseline. */
export interface LineMetrics {
  width: number;
  top: number;
  bottom: number;
}

type MeasureLine = (text: string) => LineMetrics;

interface Token {
  text: string;
  /** Whether a space separates this token from the previous one on the same line. */
  spaceBefore: boolean;
}

interface LineBox {
  /** Every line is at least this tall above / below its baseline (em), so lines of capitals look even. */
  minAscentEm: number;
  minDescentEm: number;
  /** Space between one line's descent and the next line's ascent (em). */
  gapEm: number;
}

export interface FitBox extends LineBox {
  maxWidthPx: number;
  maxHeightPx: number;
  maxFontPx: number;
  /** Below this size one line is wrapped instead of shrunk further. */
  readableFontPx: number;
  minFontPx: number;
}

export interface CaptionLayout {
  fontPx: number;
  lines: string[];
  heightPx: number;
}

/** Scripts written without spaces between words: ICU's dictionary word breaker finds where lines may break. */
const NO_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
/** Each font-size step is this much smaller than the last (about 6%: small enough to look continuous). */
const FONT_STEP = 0.94;

const words = new Intl.Segmenter(undefined, { granularity: 'word' });
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Classic meme text: NFC, control characters out, whitespace collapsed, upper case in the given locale. */
export function memeText(text: string, locale?: string): string {
  const collapsed = text.normalize('NFC').replace(/\s+/gu, ' ').replace(/\p{Cc}/gu, '').trim();
  return collapsed.toLocaleUpperCase(locale);
}

/** Splits text into words at spaces, and space-less scripts further at their word boundaries. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const [index, word] of text.split(' ').filter(Boolean).entries()) {
    if (!NO_SPACES.test(word)) {
      tokens.push({ text: word, spaceBefore: index > 0 });
      continue;
    }
    for (const [i, { segment }] of [...words.segment(word)].entries()) tokens.push({ text: segment, spaceBefore: index > 0 && i === 0 });
  }
  return tokens;
}

/** Cuts one word that is wider than the line into pieces that fit, between graphemes (at least one each). */
export function breakWord(word: string, measure: MeasureLine, maxWidthEm: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const { segment } of graphemes.segment(word)) {
    if (piece && measure(piece + segment).width > maxWidthEm) {
      pieces.push(piece);
      piece = '';
    }
    piece += segment;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/** Greedy line filling: as many tokens per line as fit in maxWidthEm; over-wide words are broken. */
export function wrapTokens(tokens: Token[], measure: MeasureLine, maxWidthEm: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    const joined = line ? line + (token.spaceBefore ? ' ' : '') + token.text : token.text;
    if (measure(joined).width <= maxWidthEm) {
      line = joined;
      continue;
    }
    if (line) lines.push(line);
    const pieces = measure(token.text).width <= maxWidthEm ? [token.text] : breakWord(token.text, measure, maxWidthEm);
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1] ?? '';
  }
  if (line) lines.push(line);
  return lines;
}

/** Height in em of lines stacked with the box's spacing. */
export function stackHeightEm(lines: readonly LineMetrics[], box: LineBox): number {
  const body = lines.reduce((sum, m) => sum + Math.max(box.minAscentEm, m.top) + Math.max(box.minDescentEm, -m.bottom), 0);
  return body + Math.max(0, lines.length - 1) * box.gapEm;
}

/**
 * The layout for the box: one line at the largest size that fits, if that size is still readable; otherwise
 * wrapped at the largest size (on a ladder of 6% steps) whose lines fit. Null when nothing fits down to minFontPx.
 */
export function fitCaption(text: string, measure: MeasureLine, box: FitBox): CaptionLayout | null {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { fontPx: box.maxFontPx, lines: [], heightPx: 0 };
  const oneLine = tokens.map((t, i) => (i > 0 && t.spaceBefore ? ` ${t.text}` : t.text)).join('');
  const single = measure(oneLine);
  const singleEm = stackHeightEm([single], box);
  const singlePx = Math.min(box.maxFontPx, box.maxWidthPx / single.width, box.maxHeightPx / singleEm);
  if (singlePx >= box.readableFontPx) return { fontPx: singlePx, lines: [oneLine], heightPx: singleEm * singlePx };
  const wrapAt = (fontPx: number): CaptionLayout | null => {
    const lines = wrapTokens(tokens, measure, box.maxWidthPx / fontPx);
    const metrics = lines.map(measure);
    const heightPx = stackHeightEm(metrics, box) * fontPx;
    return heightPx <= box.maxHeightPx && metrics.every((m) => m.width * fontPx <= box.maxWidthPx) ? { fontPx, lines, heightPx } : null;
  };
  const sizes: number[] = [];
  for (let fontPx = box.maxFontPx; fontPx >= box.minFontPx; fontPx *= FONT_STEP) sizes.push(fontPx);
  // Greedy wrapping only gains room as the size shrinks, so the sizes that fit are a tail of the ladder: bisect it.
  let best: CaptionLayout | null = null;
  for (let lo = 0, hi = sizes.length - 1; lo <= hi; ) {
    const mid = (lo + hi) >> 1;
    const layout = wrapAt(sizes[mid]);
    if (layout) {
      best = layout;
      hi = mid - 1;
    } else {
      lo = mid + 1;
    }
  }
  return best;
}
