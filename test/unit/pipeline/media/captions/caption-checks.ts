// Reading captions back from pixels: every grapheme's expected ink box (from the plan) checked against the
// rasterised overlay, and tesseract OCR of the composited frame. Shared by the caption tests.
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { captionSvg } from '../../../../../src/pipeline/media/captions/caption-svg.ts';
import type { CaptionPlan, PlacedCaption, PlacedLine } from '../../../../../src/pipeline/media/captions/plan.ts';
import { rasterizeSvg } from '../../../../../src/pipeline/media/image.ts';

export interface GraphemeInk {
  grapheme: string;
  kind: 'outline' | 'emoji';
  /** Output-frame pixels; null when no glyph of its cluster has ink. */
  box: { left: number; right: number; top: number; bottom: number } | null;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const BLANK = /^[\s\p{Default_Ignorable_Code_Point}]*$/u;

/** Each visible grapheme of a line with the union of the ink of the glyph cluster it belongs to. */
export function graphemeInk(caption: PlacedCaption, line: PlacedLine): GraphemeInk[] {
  const clusters = [...new Set(line.shaped.glyphs.map((g) => g.cluster))].sort((a, b) => a - b);
  const out: GraphemeInk[] = [];
  for (const { segment, index } of graphemes.segment(line.shaped.text)) {
    if (BLANK.test(segment)) continue;
    const cluster = clusters.filter((c) => c <= index).pop();
    const glyphs = line.shaped.glyphs.filter((g) => g.cluster === cluster && g.ink);
    const f = caption.fontPx;
    const boxes = glyphs.map((g) => ({ left: line.x + g.ink!.left * f, right: line.x + g.ink!.right * f, top: line.baseline - g.ink!.top * f, bottom: line.baseline - g.ink!.bottom * f }));
    const box = boxes.length
      ? { left: Math.min(...boxes.map((b) => b.left)), right: Math.max(...boxes.map((b) => b.right)), top: Math.min(...boxes.map((b) => b.top)), bottom: Math.max(...boxes.map((b) => b.bottom)) }
      : null;
    out.push({ grapheme: segment, kind: glyphs[0]?.art.kind ?? 'outline', box });
  }
  return out;
}

export async function renderPlan(plan: CaptionPlan): Promise<Uint8Array> {
  const svg = captionSvg(plan);
  return svg ? rasterizeSvg(svg, plan.width, plan.height) : new Uint8Array(plan.width * plan.height * 4);
}

/**
 * Problems found: graphemes with no ink in the plan, ink outside the frame, or (given the rasterised overlay)
 * no painted pixel where a grapheme's ink should be.
 */
export function inkProblems(plan: CaptionPlan, rgba?: Uint8Array): string[] {
  const problems: string[] = [];
  for (const caption of plan.captions) {
    const half = caption.strokePx / 2;
    for (const line of caption.lines) {
      for (const { grapheme, kind, box } of graphemeInk(caption, line)) {
        const where = `"${grapheme}" in "${line.shaped.text}"`;
        if (!box) {
          problems.push(`${where}: no glyph with ink`);
          continue;
        }
        if (box.left - half < -0.5 || box.top - half < -0.5 || box.right + half > plan.width + 0.5 || box.bottom + half > plan.height + 0.5) {
          problems.push(`${where}: ink outside the ${plan.width}x${plan.height} frame`);
        }
        if (!rgba) continue;
        let painted = 0;
        let white = 0;
        for (let y = Math.max(0, Math.floor(box.top)); y < Math.min(plan.height, Math.ceil(box.bottom)); y++) {
          for (let x = Math.max(0, Math.floor(box.left)); x < Math.min(plan.width, Math.ceil(box.right)); x++) {
            const i = (y * plan.width + x) * 4;
            if (rgba[i + 3] < 128) continue;
            painted++;
            if (rgba[i] > 200 && rgba[i + 1] > 200 && rgba[i + 2] > 200) white++;
          }
        }
        const tiny = box.right - box.left < 3 || box.bottom - box.top < 3;
        if (painted === 0 || (kind === 'outline' && !tiny && white === 0)) problems.push(`${where}: nothing painted in its box (${painted} px, ${white} white)`);
      }
    }
  }
  return problems;
}

/** Tesseract reads Anton best with capitals about this tall (measured on the templates' captions: 24-48 px). */
const OCR_CAP_PX = 32;

function tesseract(png: Buffer, psm: string): string {
  return execFileSync('tesseract', ['stdin', 'stdout', '--psm', psm, '-l', 'eng'], { input: png, stdio: ['pipe', 'pipe', 'ignore'] }).toString().trim();
}

/**
 * Tesseract's reading of one line of caption text from an RGB frame: the rows around the baseline, the white
 * fill kept as black on white (the outline and the photo drop out), scaled to OCR_CAP_PX capitals, read as
 * one text line (--psm 7), or as one word (--psm 8) when line mode finds nothing (it does so on "OH OH").
 */
export async function ocrLine(rgb: Uint8Array, width: number, caption: PlacedCaption, line: PlacedLine, height: number): Promise<string> {
  const y0 = Math.max(0, Math.floor(line.baseline - 1.1 * caption.fontPx));
  const y1 = Math.min(height, Math.ceil(line.baseline + 0.35 * caption.fontPx));
  // Only the line's own columns: white things in the photo beside the text are not the caption's to read.
  const x0 = Math.max(0, Math.floor(line.x + (line.shaped.extent.left - 0.2) * caption.fontPx));
  const x1 = Math.min(width, Math.ceil(line.x + (line.shaped.extent.right + 0.2) * caption.fontPx));
  const rows = y1 - y0;
  const columns = x1 - x0;
  const binary = new Uint8Array(columns * rows);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = ((y + y0) * width + x + x0) * 3;
      binary[y * columns + x] = rgb[i] > 230 && rgb[i + 1] > 230 && rgb[i + 2] > 230 ? 0 : 255;
    }
  }
  const scale = OCR_CAP_PX / (0.86 * caption.fontPx);
  const png = await sharp(binary, { raw: { width: columns, height: rows, channels: 1 } })
    .resize(Math.max(1, Math.round(columns * scale)), Math.max(1, Math.round(rows * scale)))
    .extend({ top: 20, bottom: 20, left: 20, right: 20, background: '#ffffff' })
    .png()
    .toBuffer();
  return tesseract(png, '7') || tesseract(png, '8');
}

/** Levenshtein distance over code points. */
export function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[t.length];
}

/** The Han characters in rows of a double-byte legacy charset (lead bytes × trail byte ranges), decoded by ICU. */
export function legacyCharset(encoding: string, leads: [number, number], ...trails: [number, number][]): string[] {
  const decoder = new TextDecoder(encoding);
  const chars: string[] = [];
  for (let lead = leads[0]; lead <= leads[1]; lead++) {
    for (const [first, last] of trails) {
      for (let trail = first; trail <= last; trail++) {
        const char = decoder.decode(new Uint8Array([lead, trail]));
        if ([...char].length === 1 && /\p{Script=Han}/u.test(char)) chars.push(char);
      }
    }
  }
  return chars;
}
