// A caption plan as one SVG document: black bands, then per caption the glyph outlines stroked black under a
// white fill, then Twemoji pictures. Coordinates are written by `svgNumber` (never NaN or exponents) and
// every contour is closed, so the rasteriser neither drops a path nor leaves a letter's last edge unstroked.
import { MemeError } from '../../../errors.ts';
import type { CaptionFont } from './font-stack.ts';
import type { CaptionPlan, PlacedCaption } from './plan.ts';

/** A coordinate for SVG path data: rounded to 1/100 px; a non-finite value is a bug and stops the render. */
export function svgNumber(value: number): string {
  if (!Number.isFinite(value)) throw new MemeError('INTERNAL', `caption geometry produced ${value}`);
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

type Command = { type: string; values: number[] };
const outlines = new WeakMap<CaptionFont, Map<number, Command[]>>();

/** The glyph's outline in font units (y up), cached per font. */
function outline(font: CaptionFont, glyphId: number): Command[] {
  let byGlyph = outlines.get(font);
  if (!byGlyph) {
    byGlyph = new Map();
    outlines.set(font, byGlyph);
  }
  let commands = byGlyph.get(glyphId);
  if (!commands) {
    commands = font.hb.glyphToJson(glyphId) as Command[];
    byGlyph.set(glyphId, commands);
  }
  return commands;
}

/** Path data for one glyph placed at (originX, baseline) with `scale` px per font unit; contours closed. */
export function glyphPath(commands: Command[], originX: number, baseline: number, scale: number): string {
  const parts: string[] = [];
  let open = false;
  for (const { type, values } of commands) {
    if (type === 'Z') {
      if (open) parts.push('Z');
      open = false;
      continue;
    }
    if (type === 'M' && open) parts.push('Z');
    const points: string[] = [];
    for (let i = 0; i < values.length; i += 2) points.push(`${svgNumber(originX + values[i] * scale)} ${svgNumber(baseline - values[i + 1] * scale)}`);
    parts.push(type + points.join(' '));
    open = true;
  }
  if (open) parts.push('Z');
  return parts.join('');
}

let emojiIds = 0;

/** A Twemoji document re-rooted as a nested <svg> at the given square; its ids made unique in our document. */
function emojiElement(svg: string, x: number, y: number, size: number): string {
  const open = /<svg\b[^>]*>/.exec(svg);
  if (!open) throw new MemeError('INTERNAL', 'an emoji picture is not an SVG document');
  const viewBox = /viewBox="([^"]+)"/.exec(open[0])?.[1] ?? '0 0 36 36';
  const prefix = `e${emojiIds++}-`;
  const body = svg
    .slice(open.index + open[0].length, svg.lastIndexOf('</svg>'))
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
  return `<svg x="${svgNumber(x)}" y="${svgNumber(y)}" width="${svgNumber(size)}" height="${svgNumber(size)}" viewBox="${viewBox}">${body}</svg>`;
}

function captionElements(caption: PlacedCaption): string {
  const outlinesD: string[] = [];
  const pictures: string[] = [];
  const { fontPx } = caption;
  for (const line of caption.lines) {
    for (const glyph of line.shaped.glyphs) {
      const x = line.x + glyph.x * fontPx;
      if (glyph.art.kind === 'emoji') {
        const size = glyph.scale * fontPx;
        pictures.push(emojiElement(glyph.art.svg, x, line.baseline - glyph.y * fontPx - size, size));
      } else if (glyph.ink) {
        outlinesD.push(glyphPath(outline(glyph.art.font, glyph.art.glyphId), x, line.baseline - glyph.y * fontPx, glyph.scale * fontPx));
      }
    }
  }
  const d = outlinesD.join('');
  // The outlines once, used twice: the black stroke first, the white fill over it.
  const id = `caption-${caption.position}`;
  const text = d ? `<defs><path id="${id}" d="${d}"/></defs><use href="#${id}" fill="none" stroke="#000" stroke-width="${svgNumber(caption.strokePx)}" stroke-linejoin="round"/><use href="#${id}" fill="#fff"/>` : '';
  return text + pictures.join('');
}

/** The whole overlay for the plan's output frame, or null when there is nothing to draw. */
export function captionSvg(plan: CaptionPlan): string | null {
  if (plan.captions.length === 0) return null;
  const bands = [
    plan.bandTop ? `<rect x="0" y="0" width="${plan.width}" height="${plan.bandTop}" fill="#000"/>` : '',
    plan.bandBottom ? `<rect x="0" y="${plan.pictureTop + plan.pictureHeight}" width="${plan.width}" height="${plan.bandBottom}" fill="#000"/>` : '',
  ];
  const body = bands.join('') + plan.captions.map(captionElements).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${plan.width}" height="${plan.height}" viewBox="0 0 ${plan.width} ${plan.height}">${body}</svg>`;
}
