// Complex scripts and colour emoji: shaped by HarfBuzz (joining, reordering, marks), laid out right to left
// where they should be, and painted (the pixels are checked, not only the glyph lists).
import { describe, expect, it } from 'vitest';
import { defaultFontStack } from '../../../../../src/pipeline/media/captions/font-stack.ts';
import { planCaptions } from '../../../../../src/pipeline/media/captions/plan.ts';
import { paragraphDirection } from '../../../../../src/pipeline/media/captions/bidi.ts';
import { type LineGlyph, shapeLine } from '../../../../../src/pipeline/media/captions/shape-line.ts';
import { graphemeInk, inkProblems, renderPlan } from './caption-checks.ts';

const fonts = defaultFontStack();
const outlineIds = (glyphs: LineGlyph[]) => glyphs.map((g) => (g.art.kind === 'outline' ? g.art.glyphId : -1));
const nominal = (char: string) => fonts.fontFor([char.codePointAt(0)!])!.hb.nominalGlyph(char.codePointAt(0)!)!;

async function renderedProblems(text: string): Promise<string[]> {
  const plan = planCaptions({ bottom: text }, 480, 360);
  expect(plan.notes).toEqual([]);
  return inkProblems(plan, await renderPlan(plan));
}

describe('complex scripts', () => {
  it('Korean: every Hangul syllable is a Noto Sans KR glyph with ink, and decomposed jamo compose', async () => {
    const line = shapeLine('안녕하세요', fonts);
    expect(line.glyphs).toHaveLength(5);
    expect(line.glyphs.every((g) => g.art.kind === 'outline' && g.art.font.family === 'Noto Sans KR' && g.ink)).toBe(true);
    expect(planCaptions({ top: '\u1112\u1161\u11ab' }, 200, 200).captions[0].lines[0].shaped.text).toBe('한');
    expect(await renderedProblems('안녕하세요 여러분')).toEqual([]);
  });

  it('Arabic: letters take their joined forms and the word runs right to left', async () => {
    const word = 'سلام';
    const line = shapeLine(word, fonts);
    const isolated = [...word].map(nominal);
    // Logical order of the glyphs: right to left on screen, so sort by x descending.
    const logical = [...line.glyphs].sort((a, b) => b.x - a.x);
    expect(logical.map((g) => g.cluster)).toEqual([0, 1, 2, 3]);
    const joined = outlineIds(logical);
    // Seen takes its initial form, lam its medial, alef its final; meem follows a non-joining alef and stands alone.
    expect(joined.slice(0, 3).every((id, i) => id !== isolated[i])).toBe(true);
    expect(joined[3]).toBe(isolated[3]);
    expect(await renderedProblems('مرحبا بالعالم')).toEqual([]);
  });

  it('Hebrew runs right to left; in a left-to-right caption the Arabic or Hebrew phrase keeps its own order', () => {
    const hebrew = shapeLine('שלום', fonts);
    expect([...hebrew.glyphs].sort((a, b) => a.x - b.x).map((g) => g.cluster)).toEqual([3, 2, 1, 0]);
    const mixed = shapeLine('HI שלום עולם OK', fonts, { direction: 'ltr' });
    const byX = [...mixed.glyphs].filter((g) => g.ink).sort((a, b) => a.x - b.x);
    const text = byX.map((g) => mixed.text[g.cluster]).join('');
    expect(text).toBe('HIםלועםולשOK'); // the Hebrew phrase reads right to left, the Latin ends stay put
  });

  it('an emoji is a neutral: at the end of a right-to-left caption it goes to the left end (astral characters keep their bidi class)', () => {
    expect(paragraphDirection('😂 العزيز')).toBe('rtl');
    const line = shapeLine('العزيز LOL 😂', fonts, { direction: 'rtl' });
    const byX = [...line.glyphs].filter((g) => g.ink).sort((a, b) => a.x - b.x);
    expect(byX.slice(0, 4).map((g) => (g.art.kind === 'emoji' ? '😂' : line.text[g.cluster])).join('')).toBe('😂LOL');
    expect(byX.slice(4).every((g) => g.art.kind === 'outline' && g.art.font.family === 'Noto Sans Arabic')).toBe(true);
  });

  it('Hindi: the i-matra is drawn before its consonant and conjuncts form', async () => {
    const ki = shapeLine('कि', fonts);
    const byX = [...ki.glyphs].sort((a, b) => a.x - b.x);
    expect(outlineIds(byX)[1]).toBe(nominal('क'));
    expect(outlineIds(byX)[0]).not.toBe(nominal('क'));
    const namaste = shapeLine('नमस्ते', fonts);
    expect(namaste.glyphs.length).toBeLessThan([...'नमस्ते'].length); // स्त is one conjunct glyph (or half-form + त) and the virama is gone
    expect(await renderedProblems('नमस्ते दुनिया')).toEqual([]);
  });

  it('Thai: tone marks and vowels stack over their consonant without advancing the line', async () => {
    const base = shapeLine('ท', fonts);
    const stacked = shapeLine('ที่', fonts);
    expect(stacked.glyphs.length).toBe(3);
    expect(stacked.advance).toBeCloseTo(base.advance, 5);
    const [consonant, ...marks] = stacked.glyphs;
    for (const mark of marks) expect(mark.ink!.bottom).toBeGreaterThan(consonant.ink!.top * 0.8);
    expect(marks[1].ink!.bottom).toBeGreaterThan(marks[0].ink!.bottom); // the tone mark sits on the vowel
    expect(await renderedProblems('สวัสดีครับ ที่นี่')).toEqual([]);
  });
});

describe('colour emoji', () => {
  /** Mean colour and the share of saturated pixels inside one drawn emoji. */
  function colourIn(rgba: Uint8Array, width: number, box: { left: number; right: number; top: number; bottom: number }) {
    let n = 0;
    let saturated = 0;
    const sum = [0, 0, 0];
    for (let y = Math.ceil(box.top); y < Math.floor(box.bottom); y++) {
      for (let x = Math.ceil(box.left); x < Math.floor(box.right); x++) {
        const i = (y * width + x) * 4;
        if (rgba[i + 3] < 200) continue;
        n++;
        for (let c = 0; c < 3; c++) sum[c] += rgba[i + c];
        if (Math.max(rgba[i], rgba[i + 1], rgba[i + 2]) - Math.min(rgba[i], rgba[i + 1], rgba[i + 2]) > 50) saturated++;
      }
    }
    return { mean: sum.map((s) => s / Math.max(1, n)), saturated: saturated / Math.max(1, n), pixels: n };
  }

  it('draws 🔥, a skin-toned 👍🏽, the ZWJ 👩‍💻 and the 🇯🇵 flag as one coloured picture each, and an emoji-only caption shows', async () => {
    const plan = planCaptions({ bottom: '🔥👍👍🏽👩‍💻🇯🇵' }, 480, 360);
    expect(plan.notes).toEqual([]);
    const rgba = await renderPlan(plan);
    expect(inkProblems(plan, rgba)).toEqual([]);
    const caption = plan.captions[0];
    const items = caption.lines.flatMap((line) => graphemeInk(caption, line));
    expect(items.map((i) => i.grapheme)).toEqual(['🔥', '👍', '👍🏽', '👩‍💻', '🇯🇵']);
    expect(items.every((i) => i.kind === 'emoji')).toBe(true);
    const colours = items.map((i) => colourIn(rgba, plan.width, i.box!));
    // A black-and-white glyph would have no saturated pixel at all; these are mostly colour.
    for (const c of colours) expect(c.saturated).toBeGreaterThan(0.15);
    // The skin tone changes the thumb's colour: yellow against medium brown.
    const [, plain, toned] = colours;
    expect(Math.hypot(...plain.mean.map((v, i) => v - toned.mean[i]))).toBeGreaterThan(40);
    expect(toned.mean[2]).toBeGreaterThan(plain.mean[2] + 20);
    // Japan's flag: mostly white with a red disc.
    expect(colours[4].mean[0]).toBeGreaterThan(colours[4].mean[1] + 20);
  });

  it('keeps text-default symbols as text and draws emoji sequences as pictures', () => {
    const line = shapeLine('© ❤ ❤️ 1️⃣', fonts);
    const kinds = line.glyphs.filter((g) => g.ink).map((g) => g.art.kind);
    expect(kinds).toEqual(['outline', 'outline', 'emoji', 'emoji']);
  });
});

describe('characters no bundled font has', () => {
  it('are drawn as a box and reported, never dropped silently', async () => {
    const plan = planCaptions({ top: 'A 𓀀 B' }, 300, 300);
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toMatch(/𓀀.*U\+13000.*box/);
    expect(inkProblems(plan, await renderPlan(plan))).toEqual([]);
  });
});
