// The caption font stack: bundled open fonts from npm (Anton for the meme look, Noto families for the other
// scripts, DejaVu Sans Bold for symbols), loaded into HarfBuzz on first use, chosen per grapheme by coverage.
// fontsource splits each family into unicode-range subset files; only the subsets a caption needs are read.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as hb from 'harfbuzzjs';
import { sfntFromWoff } from './woff.ts';

const require = createRequire(import.meta.url);

type Range = readonly [number, number];

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

/** A family as shipped: one file, or fontsource's subset files, optionally kept to some code points. */
interface FontSource {
  family: string;
  filesFor(codepoint: number): string[];
}

/** Parses a CSS unicode-range value such as "U+0000-00FF,U+0131,U+4E??" into inclusive ranges. */
export function parseUnicodeRange(text: string): Range[] {
  const ranges: Range[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*U\+([0-9a-f?]+)(?:-([0-9a-f]+))?\s*$/i.exec(part);
    if (!match) continue;
    const [, start, end] = match;
    if (start.includes('?')) ranges.push([Number.parseInt(start.replace(/\?/g, '0'), 16), Number.parseInt(start.replace(/\?/g, 'f'), 16)]);
    else ranges.push([Number.parseInt(start, 16), Number.parseInt(end ?? start, 16)]);
  }
  return ranges;
}

const inRanges = (ranges: readonly Range[], codepoint: number) => ranges.some(([lo, hi]) => codepoint >= lo && codepoint <= hi);

/** A fontsource package: `unicode.json` maps subset keys ("latin", "[42]") to ranges; one .woff per subset and weight. */
function fontsource(family: string, pkg: string, weight: number, only?: Range[]): FontSource {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  const stem = pkg.split('/')[1];
  const table = JSON.parse(readFileSync(path.join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const subsets = Object.entries(table).map(([key, value]) => ({
    file: path.join(dir, 'files', `${stem}-${key.replace(/^\[(\d+)\]$/, '$1')}-${weight}-normal.woff`),
    ranges: parseUnicodeRange(value),
  }));
  return {
    family,
    filesFor: (codepoint) => (only && !inRanges(only, codepoint) ? [] : subsets.filter((s) => inRanges(s.ranges, codepoint) && existsSync(s.file)).map((s) => s.file)),
  };
}

const HANGUL: Range[] = [[0x1100, 0x11ff], [0x3130, 0x318f], [0xa960, 0xa97f], [0xac00, 0xd7ff]];

/** Most specific first: a character goes to the first family that has it. Weights are the boldest that stay legible under the outline. */
function defaultSources(): FontSource[] {
  const dejavu = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf');
  return [
    fontsource('Anton', '@fontsource/anton', 400),
    fontsource('Noto Sans Devanagari', '@fontsource/noto-sans-devanagari', 700),
    fontsource('Noto Sans', '@fontsource/noto-sans', 800),
    fontsource('Noto Sans Arabic', '@fontsource/noto-sans-arabic', 700),
    fontsource('Noto Sans Hebrew', '@fontsource/noto-sans-hebrew', 800),
    fontsource('Noto Sans Thai', '@fontsource/noto-sans-thai', 700),
    // Noto Sans SC has Hangul too, but Korean should look Korean; Han stays with SC so Chinese is one design.
    fontsource('Noto Sans KR', '@fontsource/noto-sans-kr', 800, HANGUL),
    fontsource('Noto Sans SC', '@fontsource/noto-sans-sc', 800),
    // Google's Noto Sans SC lacks ideographs that only Japanese (JIS X 0208) or traditional Chinese (Big5) use.
    fontsource('Noto Sans JP', '@fontsource/noto-sans-jp', 800),
    fontsource('Noto Sans TC', '@fontsource/noto-sans-tc', 800),
    { family: 'DejaVu Sans Bold', filesFor: () => [dejavu] },
  ];
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

export function createFontStack(sources: FontSource[] = defaultSources()): FontStack {
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
