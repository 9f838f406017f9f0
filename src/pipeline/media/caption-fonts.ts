// The caption font stack: bundled open fonts from npm, parsed with opentype.js, chosen per character
// (Anton → DejaVu Sans Bold → Noto Sans SC subsets). Parsed fonts are cached; no drawing happens here.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import opentype from 'opentype.js';

const require = createRequire(import.meta.url);

/** One font family as shipped: either a single file, or fontsource's unicode-range subset files. */
interface FontSource {
  name: string;
  /** codepoint → the files that may hold it (subsets can overlap), empty when the family has none. */
  filesFor(codepoint: number): string[];
}

type Range = readonly [number, number];

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

function packageDir(specifier: string): string {
  // fontsource packages export only CSS; resolving the main entry gives us their folder.
  return path.dirname(require.resolve(specifier));
}

/** A fontsource package: `unicode.json` maps subset keys ("latin", "[42]") to ranges; files are per subset. */
function fontsourceFamily(name: string, pkg: string, family: string, weight: number): FontSource {
  const dir = packageDir(pkg);
  const table = JSON.parse(readFileSync(path.join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
  const subsets = Object.entries(table).map(([key, value]) => ({ key: key.replace(/^\[(\d+)\]$/, '$1'), ranges: parseUnicodeRange(value) }));
  return {
    name,
    filesFor(codepoint) {
      return subsets
        .filter((s) => s.ranges.some(([lo, hi]) => codepoint >= lo && codepoint <= hi))
        .map((s) => path.join(dir, 'files', `${family}-${s.key}-${weight}-normal.woff`))
        .filter((file) => existsSync(file));
    },
  };
}

function singleFile(name: string, file: string): FontSource {
  return { name, filesFor: () => [file] };
}

export interface FontStack {
  /** The first font in the stack whose cmap has this character, or null (the character is skipped). */
  fontFor(char: string): opentype.Font | null;
  /** The stack's first font; its metrics set line spacing. */
  readonly primary: opentype.Font;
}

function loadFont(file: string): opentype.Font {
  const bytes = readFileSync(file);
  return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}

/** Builds the default stack; fonts are parsed on first use and kept for the stack's lifetime. */
export function createFontStack(): FontStack {
  const sources: FontSource[] = [
    fontsourceFamily('Anton', '@fontsource/anton', 'anton', 400),
    singleFile('DejaVu Sans Bold', path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans-Bold.ttf')),
    fontsourceFamily('Noto Sans SC', '@fontsource/noto-sans-sc', 'noto-sans-sc', 700),
  ];
  const fonts = new Map<string, opentype.Font>();
  const byChar = new Map<string, opentype.Font | null>();
  const fontAt = (file: string) => {
    let font = fonts.get(file);
    if (!font) {
      font = loadFont(file);
      fonts.set(file, font);
    }
    return font;
  };
  const primaryFile = sources[0].filesFor(0x41)[0];
  if (!primaryFile) throw new Error('the Anton font files are missing');
  return {
    primary: fontAt(primaryFile),
    fontFor(char) {
      if (byChar.has(char)) return byChar.get(char)!;
      const codepoint = char.codePointAt(0)!;
      let found: opentype.Font | null = null;
      search: for (const source of sources) {
        for (const file of source.filesFor(codepoint)) {
          if (fontAt(file).charToGlyphIndex(char) > 0) {
            found = fontAt(file);
            break search;
          }
        }
      }
      byChar.set(char, found);
      return found;
    },
  };
}

let shared: FontStack | undefined;

/** One stack per process: parsing fonts is the slow part, and the files never change while we run. */
export function defaultFontStack(): FontStack {
  shared ??= createFontStack();
  return shared;
}
