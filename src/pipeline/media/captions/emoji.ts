// Colour emoji for captions: which graphemes are emoji, and their Twemoji artwork (@twemoji/svg, one SVG per
// emoji sequence, named by its code points). Skin tones, ZWJ sequences, flags, keycaps and tag sequences are
// single files there, so a grapheme cluster maps to one picture.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const TWEMOJI_DIR = path.dirname(require.resolve('@twemoji/svg/package.json'));

const ZWJ = 0x200d;
const VS15_TEXT = 0xfe0e;
const VS16_EMOJI = 0xfe0f;
const PRESENTATION = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

const hex = (codepoints: number[]) => codepoints.map((cp) => cp.toString(16)).join('-');

/** Twemoji's file naming: VS16 is dropped unless the sequence has a ZWJ; some ZWJ files drop it as well. */
function candidateNames(codepoints: number[]): string[] {
  const bare = codepoints.filter((cp) => cp !== VS16_EMOJI);
  return codepoints.includes(ZWJ) ? [hex(codepoints), hex(bare)] : [hex(bare)];
}

const svgCache = new Map<string, string | null>();

/** The Twemoji SVG document for this grapheme cluster, or null when the set has no picture for it. */
export function emojiSvg(grapheme: string): string | null {
  if (svgCache.has(grapheme)) return svgCache.get(grapheme)!;
  const codepoints = [...grapheme].map((c) => c.codePointAt(0)!);
  let svg: string | null = null;
  for (const name of candidateNames(codepoints)) {
    const file = path.join(TWEMOJI_DIR, `${name}.svg`);
    if (existsSync(file)) {
      svg = readFileSync(file, 'utf8');
      break;
    }
  }
  svgCache.set(grapheme, svg);
  return svg;
}

/**
 * Whether a grapheme asks to be shown as a colour emoji (Unicode TR51 presentation): an emoji sequence, a VS16,
 * or a character whose default presentation is emoji. "©", "#" or "❤" alone are text; "❤️" is an emoji.
 */
export function wantsEmojiPresentation(grapheme: string): boolean {
  const codepoints = [...grapheme].map((c) => c.codePointAt(0)!);
  if (codepoints.includes(VS15_TEXT) || !PICTOGRAPHIC.test(grapheme)) return false;
  return codepoints.length > 1 || PRESENTATION.test(grapheme);
}
