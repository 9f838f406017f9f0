// Which font files ship with Memeloom and which code points each may hold: Anton for the meme look, Noto
// families for the other scripts, DejaVu Sans Bold for symbols, all from npm. fontsource splits a family into
// unicode-range subset files (`unicode.json`), so a code point maps to the few files worth opening.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

type Range = readonly [number, number];

/** A family as shipped: one file, or fontsource's subset files, optionally kept to some code points. */
export interface FontSource {
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
export function defaultSources(): FontSource[] {
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
