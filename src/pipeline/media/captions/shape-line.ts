// One line of caption text → positioned glyphs, left to right as seen. Graphemes go to the first font that
// has them (or to a Twemoji picture), runs of one font and one bidi level are shaped by HarfBuzz (Arabic
// joining, Devanagari conjuncts, Thai marks, kerning), and runs are put in visual order (bidi.ts).
// Units are em of the caption's font size, origin at the line's left edge on the baseline, y up.
import * as hb from 'harfbuzzjs';
import { bidiLevels, type LevelRun, visualOrder } from './bidi.ts';
import { emojiSvg, wantsEmojiPresentation } from './emoji.ts';
import type { CaptionFont, FontStack } from './font-stack.ts';

interface InkBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

type GlyphArt = { kind: 'outline'; font: CaptionFont; glyphId: number } | { kind: 'emoji'; svg: string };

export interface LineGlyph {
  art: GlyphArt;
  /** Glyph origin (outlines) or the picture's bottom-left corner (emoji). */
  x: number;
  y: number;
  /** Font units → em for outlines; the picture's side for emoji. */
  scale: number;
  /** What it paints; null for blank glyphs (spaces, joiners). */
  ink: InkBox | null;
  /** UTF-16 offset of the grapheme it belongs to, in the line's text. */
  cluster: number;
}

export interface ShapedLine {
  text: string;
  glyphs: LineGlyph[];
  advance: number;
  /** Union of the advance box and all ink (ink may overhang the advance). */
  extent: InkBox;
  /** Graphemes no bundled font has; they are drawn as the primary font's box. */
  missing: string[];
}

interface ShapeOptions {
  /** Paragraph direction; auto-detected from the first strong character when absent. */
  direction?: 'ltr' | 'rtl';
  /** BCP 47 language for HarfBuzz's language-specific forms. */
  language?: string;
}

/** Emoji pictures: side length, how far they sit below the baseline, and the space around them (em). */
const EMOJI_EM = 0.92;
const EMOJI_DESCENT_EM = 0.06;
const EMOJI_GAP_EM = 0.08;
/** Code points a font need not have: joiners and variation selectors steer shaping but draw nothing. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const buffer = new hb.Buffer();

type Face = CaptionFont | 'emoji';
interface Run extends LevelRun {
  face: Face;
  start: number;
  end: number;
}

function faceOf(grapheme: string, fonts: FontStack, missing: string[]): Face {
  if (wantsEmojiPresentation(grapheme) && emojiSvg(grapheme)) return 'emoji';
  const codepoints = [...grapheme].filter((c) => !IGNORABLE.test(c)).map((c) => c.codePointAt(0)!);
  if (codepoints.length === 0) return fonts.primary;
  const font = fonts.fontFor(codepoints);
  if (font) return font;
  if (emojiSvg(grapheme)) return 'emoji';
  missing.push(grapheme);
  return fonts.fontFor(codepoints.slice(0, 1)) ?? fonts.primary;
}

/** Splits the line into runs of one face and one bidi level; spaces join the font next to them. */
function itemize(text: string, fonts: FontStack, levels: Uint8Array, missing: string[]): Run[] {
  const pieces = [...graphemes.segment(text)].map(({ segment, index }) => ({ segment, index, face: /^\s+$/u.test(segment) ? null : faceOf(segment, fonts, missing) }));
  pieces.forEach((piece, i) => {
    if (piece.face) return;
    const space = piece.segment.codePointAt(0)!;
    const near = [pieces[i - 1]?.face, pieces.slice(i + 1).find((p) => p.face)?.face];
    piece.face = near.find((f): f is CaptionFont => !!f && f !== 'emoji' && f.has(space)) ?? fonts.primary;
  });
  const runs: Run[] = [];
  for (const { segment, index, face } of pieces) {
    const last = runs[runs.length - 1];
    if (last && last.face === face && last.level === levels[index]) last.end = index + segment.length;
    else runs.push({ face: face!, level: levels[index], start: index, end: index + segment.length });
  }
  return runs;
}

function shapeRun(text: string, run: Run, font: CaptionFont, penX: number, language: string | undefined, out: LineGlyph[]): number {
  buffer.reset();
  buffer.addText(text, run.start, run.end - run.start);
  buffer.setDirection(run.level % 2 ? hb.Direction.RTL : hb.Direction.LTR);
  if (language) buffer.setLanguage(language);
  buffer.guessSegmentProperties();
  hb.shape(font.hb, buffer);
  const scale = font.sizeAdjust / font.upem;
  let x = penX;
  for (const glyph of buffer.getGlyphInfosAndPositions()) {
    const gx = x + (glyph.xOffset ?? 0) * scale;
    const gy = (glyph.yOffset ?? 0) * scale;
    const e = font.hb.glyphExtents(glyph.codepoint);
    const ink = e && e.width !== 0 && e.height !== 0 ? { left: gx + e.xBearing * scale, right: gx + (e.xBearing + e.width) * scale, top: gy + e.yBearing * scale, bottom: gy + (e.yBearing + e.height) * scale } : null;
    out.push({ art: { kind: 'outline', font, glyphId: glyph.codepoint }, x: gx, y: gy, scale, ink, cluster: glyph.cluster });
    x += (glyph.xAdvance ?? 0) * scale;
  }
  return x;
}

function placeEmoji(text: string, run: Run, penX: number, out: LineGlyph[]): number {
  const items = [...graphemes.segment(text.slice(run.start, run.end))];
  if (run.level % 2) items.reverse();
  let x = penX;
  for (const { segment, index } of items) {
    const left = x + EMOJI_GAP_EM / 2;
    const y = -EMOJI_DESCENT_EM;
    const ink = { left, right: left + EMOJI_EM, top: y + EMOJI_EM, bottom: y };
    out.push({ art: { kind: 'emoji', svg: emojiSvg(segment)! }, x: left, y, scale: EMOJI_EM, ink, cluster: run.start + index });
    x += EMOJI_EM + EMOJI_GAP_EM;
  }
  return x;
}

/** Shapes one line (no line breaks inside) with the stack's fonts. */
export function shapeLine(text: string, fonts: FontStack, options: ShapeOptions = {}): ShapedLine {
  const missing: string[] = [];
  const glyphs: LineGlyph[] = [];
  let advance = 0;
  if (text) {
    const { levels } = bidiLevels(text, options.direction);
    for (const run of visualOrder(itemize(text, fonts, levels, missing))) {
      advance = run.face === 'emoji' ? placeEmoji(text, run, advance, glyphs) : shapeRun(text, run, run.face, advance, options.language, glyphs);
    }
  }
  const extent = { left: 0, right: advance, top: 0, bottom: 0 };
  for (const { ink } of glyphs) {
    if (!ink) continue;
    extent.left = Math.min(extent.left, ink.left);
    extent.right = Math.max(extent.right, ink.right);
    extent.top = Math.max(extent.top, ink.top);
    extent.bottom = Math.min(extent.bottom, ink.bottom);
  }
  return { text, glyphs, advance, extent, missing };
}
