import { describe, expect, it } from 'vitest';
import { captionSvg, glyphPath, svgNumber } from '../../../../../src/pipeline/media/captions/caption-svg.ts';
import { planCaptions } from '../../../../../src/pipeline/media/captions/plan.ts';
import { inkProblems, renderPlan } from './caption-checks.ts';

/** Every number in an SVG document's path data. */
const pathNumbers = (svg: string) => [...svg.matchAll(/ d="([^"]*)"/g)].flatMap((m) => m[1].split(/[MLQCZ ]+/).filter(Boolean));

describe('svgNumber', () => {
  it('writes plain decimals rounded to 1/100 px, never exponents or -0', () => {
    expect(svgNumber(12.3456)).toBe('12.35');
    expect(svgNumber(-0.001)).toBe('0');
    expect(svgNumber(1e-9)).toBe('0');
    expect(svgNumber(123456.7)).toBe('123456.7');
  });

  it('refuses NaN and infinities instead of writing them into a path', () => {
    expect(() => svgNumber(Number.NaN)).toThrow(/NaN/);
    expect(() => svgNumber(Number.POSITIVE_INFINITY)).toThrow(/Infinity/);
  });
});

describe('glyphPath', () => {
  it('closes every contour, even when the outline source leaves one open, and flips y to screen rows', () => {
    const commands = [
      { type: 'M', values: [0, 0] },
      { type: 'L', values: [10, 0] },
      { type: 'L', values: [10, 10] },
      { type: 'M', values: [20, 0] },
      { type: 'Q', values: [25, 10, 30, 0] },
      { type: 'Z', values: [] },
      { type: 'M', values: [40, 0] },
      { type: 'L', values: [50, 0] },
    ];
    expect(glyphPath(commands, 100, 50, 0.5)).toBe('M100 50L105 50L105 45ZM110 50Q112.5 45 115 50ZM120 50L125 50Z');
  });
});

describe('captionSvg', () => {
  it('draws every letter of the captions the old renderer lost ("THE PRICE" as "T", "MY CLIP" as nothing) as closed outlines', async () => {
    for (const [captions, letters] of [
      [{ top: 'when you see', bottom: 'the price' }, 'WHENYOUSEETHEPRICE'],
      [{ bottom: 'my clip' }, 'MYCLIP'],
      [{ bottom: "i can't even" }, "ICAN'TEVEN"],
      [{ bottom: 'told you so' }, 'TOLDYOUSO'],
    ] as const) {
      const plan = planCaptions(captions, 512, 512);
      const svg = captionSvg(plan)!;
      const numbers = pathNumbers(svg);
      expect(numbers.length).toBeGreaterThan(100);
      expect(numbers.every((n) => /^-?\d+(\.\d{1,2})?$/.test(n))).toBe(true);
      // One outline per visible letter, every contour closed; the same path is stroked, then filled.
      const glyphs = plan.captions.flatMap((c) => c.lines.flatMap((l) => l.shaped.glyphs.filter((g) => g.ink)));
      expect(glyphs.length).toBe(letters.length);
      expect(svg).toMatch(/<use href="#caption-\w+" fill="none" stroke="#000"[^>]*\/><use href="#caption-\w+" fill="#fff"\/>/);
      const d = plan.captions.map((c) => new RegExp(`<path id="caption-${c.position}" d="([^"]*)"`).exec(svg)?.[1] ?? '').join('');
      expect(d.split('M').length - 1).toBe((d.match(/Z/g) ?? []).length);
      expect(inkProblems(plan, await renderPlan(plan))).toEqual([]);
    }
  });

  it('is null when there is nothing to draw', () => {
    expect(captionSvg(planCaptions({ top: '  ', bottom: '' }, 200, 200))).toBeNull();
  });
});
