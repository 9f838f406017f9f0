// Classic meme captions: top/bottom text, white fill with a black outline, fitted to the frame, drawn once
// per job as an RGBA overlay (glyph paths in an SVG, rasterised by image.ts) and blended onto every frame.
import type { Captions } from '../meme-spec.ts';
import { type CaptionLayout, fitCaption, type MeasureEm, memeText } from './caption-layout.ts';
import { defaultFontStack, type FontStack } from './caption-fonts.ts';
import { rasterizeSvg } from './image.ts';

/** A caption may take at most this share of the frame height. */
export const MAX_CAPTION_HEIGHT_SHARE = 0.25;
const LINE_HEIGHT_EM = 1.1;
/** Baseline below the top of a line box: Anton's capitals are 0.86 em tall. */
const BASELINE_EM = 0.93;
/** Outline (SVG stroke, half of it outside the glyph) as a share of the font size. */
const STROKE_EM = 0.12;
const MARGIN_SHARE = 0.03;
/** Short captions should not grow into a wall of letters: at most this share of the frame width per em. */
const MAX_FONT_WIDTH_SHARE = 0.15;
const MIN_FONT_PX = 8;

export interface CaptionOptions {
  locale?: string;
  fonts?: FontStack;
}

export interface PlacedCaption extends CaptionLayout {
  position: 'top' | 'bottom';
  /** Top of the first line box in pixels. */
  topPx: number;
}

export function measureWith(fonts: FontStack): MeasureEm {
  const advance = new Map<string, number>();
  const advanceOf = (char: string): number => {
    let em = advance.get(char);
    if (em === undefined) {
      const font = char === ' ' ? fonts.primary : fonts.fontFor(char);
      em = font ? font.charToGlyph(char).advanceWidth! / font.unitsPerEm : 0;
      advance.set(char, em);
    }
    return em;
  };
  return (text) => {
    let width = 0;
    for (const char of text) width += advanceOf(char);
    return width;
  };
}

/** Lays out top and bottom captions for a frame; empty captions are left out. */
export function layoutCaptions(captions: Captions, width: number, height: number, options: CaptionOptions = {}): PlacedCaption[] {
  const fonts = options.fonts ?? defaultFontStack();
  const measure = measureWith(fonts);
  const margin = Math.max(2, Math.round(MARGIN_SHARE * Math.min(width, height)));
  const maxHeightPx = MAX_CAPTION_HEIGHT_SHARE * height;
  const maxFontPx = Math.max(MIN_FONT_PX, Math.min(maxHeightPx / LINE_HEIGHT_EM, width * MAX_FONT_WIDTH_SHARE));
  const placed: PlacedCaption[] = [];
  for (const position of ['top', 'bottom'] as const) {
    const text = memeText(captions[position] ?? '', options.locale);
    if (!text) continue;
    // The outline sticks out by half its width on each side; keep it inside the frame.
    const layout = fitCaption(text, measure, {
      maxWidthPx: width - 2 * margin - STROKE_EM * maxFontPx,
      maxHeightPx,
      maxFontPx,
      minFontPx: Math.min(MIN_FONT_PX, maxFontPx),
      lineHeightEm: LINE_HEIGHT_EM,
    });
    if (layout.lines.length === 0) continue;
    const topPx = position === 'top' ? margin : height - margin - layout.heightPx;
    placed.push({ ...layout, position, topPx });
  }
  return placed;
}

function glyphPathData(caption: PlacedCaption, fonts: FontStack, measure: MeasureEm, width: number): string {
  const parts: string[] = [];
  const { fontPx } = caption;
  caption.lines.forEach((line, index) => {
    let x = (width - measure(line) * fontPx) / 2;
    const baseline = caption.topPx + (index * LINE_HEIGHT_EM + BASELINE_EM) * fontPx;
    for (const char of line) {
      const font = char === ' ' ? fonts.primary : fonts.fontFor(char);
      if (!font) continue;
      const glyph = font.charToGlyph(char);
      if (char !== ' ') parts.push(glyph.getPath(x, baseline, fontPx).toPathData(2));
      x += (glyph.advanceWidth! / font.unitsPerEm) * fontPx;
    }
  });
  return parts.join('');
}

/** Builds the caption SVG (outline stroke under a white fill); null when there is nothing to draw. */
export function captionSvg(captions: Captions, width: number, height: number, options: CaptionOptions = {}): string | null {
  const fonts = options.fonts ?? defaultFontStack();
  const measure = measureWith(fonts);
  const placed = layoutCaptions(captions, width, height, { ...options, fonts });
  const shapes = placed.map((caption) => {
    const d = glyphPathData(caption, fonts, measure, width);
    const stroke = (STROKE_EM * caption.fontPx).toFixed(2);
    return d ? `<path d="${d}" fill="none" stroke="#000" stroke-width="${stroke}" stroke-linejoin="round"/><path d="${d}" fill="#fff"/>` : '';
  });
  const body = shapes.join('');
  if (!body) return null;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;
}

/** The captions as a width x height RGBA overlay, or null when there are none. Render once per job. */
export async function renderCaptionOverlay(captions: Captions, width: number, height: number, options: CaptionOptions = {}): Promise<Uint8Array | null> {
  const svg = captionSvg(captions, width, height, options);
  return svg ? rasterizeSvg(svg, width, height) : null;
}
