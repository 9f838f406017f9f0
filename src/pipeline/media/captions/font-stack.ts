// The caption font stack: the bundled families (font-sources.ts) loaded into HarfBuzz on first use, and the
// choice of font per grapheme by coverage. Only the subset files a caption needs are ever read.
import { readFileSync } from 'node:fs';
import * as hb from 'harfbuzzjs';
import { defaultSources, type FontSource } from './font-sources.ts';
import { sfntFromWoff } from './woff.ts';

/** One font file in HarfBuzz, with what layout needs to know about it. */
export interface CaptionFont {
  family: string;
  hb: hb.Font;
  /** Font units per em. */
  upem: number;
  /** Multiplies this font's em so that its capitals stand as tall as Anton's (CSS size-adjust, from OS/2). */
  sizeAdjust: number;
  has(codepoint: number): boolean;
}

/** OS/2 sCapHeight (version ≥ 2, byte 88), or 0.7 em when the table is older or missing. */
function capHeightEm(face: hb.Face): number {
  const os2 = face.referenceTable('OS/2');
  if (!os2 || os2.byteLength < 90) return 0.7;
  const view = new DataView(os2.buffer, os2.byteOffset, os2.byteLength);
  const capHeight = view.getUint16(0) >= 2 ? view.getInt16(88) : 0;
  return capHeight > 0 ? capHeight / face.upem : 0.7;
}

function loadFont(family: string, file: string): Omit<CaptionFont, 'sizeAdjust'> & { capHeightEm: number } {
  const face = new hb.Face(new hb.Blob(sfntFromWoff(readFileSync(file))));
  const font = new hb.Font(face);
  return { family, hb: font, upem: face.upem, capHeightEm: capHeightEm(face), has: (codepoint) => (font.nominalGlyph(codepoint) ?? 0) > 0 };
}

export interface FontStack {
  /** The first font that has every given code point, or null when none has them all. */
  fontFor(codepoints: readonly number[]): CaptionFont | null;
  /** Anton: sets the meme look, line spacing, and draws the box for characters no font has. */
  readonly primary: CaptionFont;
}

/** Limits how far size-adjust may enlarge a fallback font (CJK fonts report a Latin cap height well under their ideographs). */
const MAX_SIZE_ADJUST = 1.15;

function createFontStack(sources: FontSource[] = defaultSources()): FontStack {
  const loaded = new Map<string, CaptionFont>();
  let primaryCap = 0;
  const fontAt = (family: string, file: string): CaptionFont => {
    let font = loaded.get(file);
    if (!font) {
      const { capHeightEm: cap, ...rest } = loadFont(family, file);
      primaryCap ||= cap; // the first file loaded is the primary's
      font = { ...rest, sizeAdjust: Math.min(MAX_SIZE_ADJUST, primaryCap / cap) };
      loaded.set(file, font);
    }
    return font;
  };
  const primaryFile = sources[0].filesFor(0x41)[0];
  if (!primaryFile) throw new Error(`the ${sources[0].family} font files are missing`);
  const primary = fontAt(sources[0].family, primaryFile);
  const cache = new Map<string, CaptionFont | null>();
  return {
    primary,
    fontFor(codepoints) {
      const key = String.fromCodePoint(...codepoints);
      if (cache.has(key)) return cache.get(key)!;
      let found: CaptionFont | null = null;
      search: for (const source of sources) {
        for (const file of source.filesFor(codepoints[0])) {
          const font = fontAt(source.family, file);
          if (codepoints.every((cp) => font.has(cp))) {
            found = font;
            break search;
          }
        }
      }
      cache.set(key, found);
      return found;
    },
  };
}

let shared: FontStack | undefined;

/** One stack per process: fonts are parsed once, and the files never change while we run. */
export function defaultFontStack(): FontStack {
  shared ??= createFontStack();
  return shared;
}
