// Where captions go: sizes each caption to its space (inside the picture above or below the face, else in a
// band added above or below the picture: the classic meme layout), and positions every shaped line.
// Owns the meme look's proportions (margins, outline width, largest and smallest sizes).
import type { Captions } from '../../meme-spec.ts';
import type { Box } from '../../types.ts';
import { paragraphDirection } from './bidi.ts';
import { defaultFontStack, type FontStack } from './font-stack.ts';
import { type ShapedLine, shapeLine } from './shape-line.ts';
import { type CaptionLayout, type FitBox, fitCaption, type LineMetrics, memeText } from './wrap.ts';

/** A caption inside the picture takes at most this share of its height. */
export const MAX_CAPTION_HEIGHT_SHARE = 0.25;
/** The black outline's width (em); half of it lies outside the glyph and counts as ink. */
const STROKE_EM = 0.12;
const MARGIN_SHARE = 0.03;
/** Short captions should not grow into a wall of letters: at most this share of the frame width per em. */
const MAX_FONT_WIDTH_SHARE = 0.15;
/** One line is shrunk down to this share of the largest size before it is wrapped instead. */
const READABLE_SHARE = 0.5;
const MIN_FONT_PX = 10;
/** The head moves while animated: keep this share of the face's height clear around its box. */
const FACE_CLEARANCE_SHARE = 0.15;
/** Anton's capitals are 0.88 em tall; lines of capitals get that much room at least, and a small gap. */
const LINE_BOX = { minAscentEm: 0.88, minDescentEm: 0.06, gapEm: 0.16 };

export interface CaptionOptions {
  locale?: string;
  /** The face to keep clear (in picture pixels); captions that do not fit beside it go to a band. */
  face?: Box;
  fonts?: FontStack;
}

export interface PlacedLine {
  shaped: ShapedLine;
  /** Output-frame pixels of the line's origin: left pen position and baseline. */
  x: number;
  baseline: number;
}

export interface PlacedCaption {
  position: 'top' | 'bottom';
  inBand: boolean;
  fontPx: number;
  strokePx: number;
  /** Output-frame rows the caption's ink (outline included) stays within. */
  top: number;
  bottom: number;
  lines: PlacedLine[];
}

export interface CaptionPlan {
  /** The output frame: the picture plus the bands. */
  width: number;
  height: number;
  pictureTop: number;
  pictureHeight: number;
  /** Rows of black band above and below the picture (0 when there is none). */
  bandTop: number;
  bandBottom: number;
  captions: PlacedCaption[];
  /** For the user: characters that no bundled font has (drawn as a box). */
  notes: string[];
}

type Fitted = { position: 'top' | 'bottom'; inBand: boolean; layout: CaptionLayout; shape: (line: string) => ShapedLine };

const codepointName = (grapheme: string) => [...grapheme].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ');

/** Lays out the captions for a width x height picture; the plan's frame may be taller (bands). */
export function planCaptions(captions: Captions, width: number, height: number, options: CaptionOptions = {}): CaptionPlan {
  const fonts = options.fonts ?? defaultFontStack();
  const margin = Math.max(2, Math.round(MARGIN_SHARE * Math.min(width, height)));
  const maxFontPx = Math.max(MIN_FONT_PX, Math.min((MAX_CAPTION_HEIGHT_SHARE * height) / (LINE_BOX.minAscentEm + LINE_BOX.minDescentEm + STROKE_EM), MAX_FONT_WIDTH_SHARE * width));
  const readableFontPx = Math.max(MIN_FONT_PX, READABLE_SHARE * maxFontPx);
  const face = options.face;
  const clearance = face ? FACE_CLEARANCE_SHARE * face.height : 0;
  const room = {
    top: face ? face.y - clearance - 2 * margin : height,
    bottom: face ? height - (face.y + face.height + clearance) - 2 * margin : height,
  };
  const fitted: Fitted[] = [];
  for (const position of ['top', 'bottom'] as const) {
    const text = memeText(captions[position] ?? '', options.locale);
    if (!text) continue;
    const direction = paragraphDirection(text);
    const shaped = new Map<string, ShapedLine>();
    const shape = (line: string) => shaped.get(line) ?? shaped.set(line, shapeLine(line, fonts, { direction, language: options.locale })).get(line)!;
    const measure = (line: string): LineMetrics => {
      const { extent } = shape(line);
      return { width: extent.right - extent.left + STROKE_EM, top: extent.top + STROKE_EM / 2, bottom: extent.bottom - STROKE_EM / 2 };
    };
    const box: FitBox = { ...LINE_BOX, maxWidthPx: width - 2 * margin, maxHeightPx: Math.min(MAX_CAPTION_HEIGHT_SHARE * height, room[position]), maxFontPx, readableFontPx, minFontPx: readableFontPx };
    const inPicture = box.maxHeightPx > 0 ? fitCaption(text, measure, box) : null;
    if (inPicture) {
      fitted.push({ position, inBand: false, layout: inPicture, shape });
      continue;
    }
    // A band grows with the caption: readable in a quarter of the picture's height if possible, else smaller, else taller.
    const band =
      fitCaption(text, measure, { ...box, maxHeightPx: MAX_CAPTION_HEIGHT_SHARE * height }) ??
      fitCaption(text, measure, { ...box, maxHeightPx: 2 * MAX_CAPTION_HEIGHT_SHARE * height, minFontPx: MIN_FONT_PX }) ??
      fitCaption(text, measure, { ...box, maxHeightPx: Number.POSITIVE_INFINITY, readableFontPx: MIN_FONT_PX, minFontPx: MIN_FONT_PX })!;
    fitted.push({ position, inBand: true, layout: band, shape });
  }
  return place(fitted, width, height, margin, fonts.primary.family);
}

function place(fitted: Fitted[], width: number, height: number, margin: number, primaryFamily: string): CaptionPlan {
  const bandOf = (position: 'top' | 'bottom') => {
    const f = fitted.find((c) => c.position === position && c.inBand);
    return f ? Math.ceil(f.layout.heightPx + 2 * margin) : 0;
  };
  const bandTop = bandOf('top');
  let bandBottom = bandOf('bottom');
  // Encoders want even sides: a band keeps the frame's height as even as the picture's.
  if ((bandTop || bandBottom) && (height + bandTop + bandBottom) % 2 === 1) bandBottom += 1;
  const pictureTop = bandTop;
  const missing = new Set<string>();
  const placed = fitted.map(({ position, inBand, layout, shape }): PlacedCaption => {
    const { fontPx } = layout;
    const bandHeight = position === 'top' ? bandTop : bandBottom;
    const bandStart = position === 'top' ? 0 : pictureTop + height;
    const top = inBand ? bandStart + (bandHeight - layout.heightPx) / 2 : position === 'top' ? pictureTop + margin : pictureTop + height - margin - layout.heightPx;
    let y = top;
    const lines = layout.lines.map((text, index) => {
      const shaped = shape(text);
      for (const grapheme of shaped.missing) missing.add(grapheme);
      const stroke = STROKE_EM / 2;
      const baseline = y + Math.max(LINE_BOX.minAscentEm, shaped.extent.top + stroke) * fontPx;
      y = baseline + (Math.max(LINE_BOX.minDescentEm, -(shaped.extent.bottom - stroke)) + (index < layout.lines.length - 1 ? LINE_BOX.gapEm : 0)) * fontPx;
      const inkWidth = (shaped.extent.right - shaped.extent.left + STROKE_EM) * fontPx;
      return { shaped, x: (width - inkWidth) / 2 - (shaped.extent.left - stroke) * fontPx, baseline };
    });
    return { position, inBand, fontPx, strokePx: STROKE_EM * fontPx, top, bottom: y, lines };
  });
  const notes = [...missing].map((g) => `no bundled font has "${g}" (${codepointName(g)}); it is drawn as a box in ${primaryFamily}`);
  return { width, height: height + bandTop + bandBottom, pictureTop, pictureHeight: height, bandTop, bandBottom, captions: placed, notes };
}
