// Property test: 1000 random captions (random words, lengths, scripts, emoji, frame sizes and faces) are laid
// out and rasterised; no path holds NaN, every visible grapheme is inked inside the frame, no text is lost.
import { describe, expect, it } from 'vitest';
import { captionSvg } from '../../../../../src/pipeline/media/captions/caption-svg.ts';
import { planCaptions } from '../../../../../src/pipeline/media/captions/plan.ts';
import { memeText } from '../../../../../src/pipeline/media/captions/wrap.ts';
import { rasterizeSvg } from '../../../../../src/pipeline/media/image.ts';
import { inkProblems, legacyCharset } from './caption-checks.ts';

const CASES = 1000;

/** mulberry32: a small seeded generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** The ideographs people write most: GB2312 level 1 (simplified Chinese) and JIS X 0208 level 1 (Japanese). */
const HAN = [...new Set([...legacyCharset('gb18030', [0xb0, 0xd7], [0xa1, 0xfe]), ...legacyCharset('euc-jp', [0xb0, 0xcf], [0xa1, 0xfe])])];
const THAI_MARKS = ['\u0e31', ...range(0x0e34, 0x0e3a), ...range(0x0e47, 0x0e4e)];
const DEVANAGARI_SIGNS = [...range(0x093e, 0x094c), '\u094d', '\u0902'];
const EMOJI = ['🔥', '👍🏽', '👩‍💻', '🇯🇵', '😂', '❤️', '💀', '🙏🏿', '👨‍👩‍👧‍👦', '🏳️‍🌈', '1️⃣', '🫠', '🧑🏻‍🚀', '🐶', '🇺🇸', '🤷‍♀️'];
const LATIN_WORDS = ['when', 'you', 'see', 'the', 'price', "can't", 'even', 'über', 'façade', 'naïve', 'ÇA', 'VA', 'why?!', '2024', '100%', 'ok.', 'JIGSAW', 'qwertyuiopasdfghjklzxcvbnm'];

type Pick = <T>(items: readonly T[]) => T;

/** One word in a script: letters drawn from its block, with marks where the script stacks them. */
const SCRIPTS: Record<string, (pick: Pick, length: number) => string> = {
  latin: (pick) => pick(LATIN_WORDS),
  latinLetters: (pick, n) => Array.from({ length: n }, () => pick([...range(0x41, 0x5a), ...range(0xc0, 0xd6), ...range(0x61, 0x7a)])).join(''),
  cyrillic: (pick, n) => Array.from({ length: n }, () => pick(range(0x410, 0x44f))).join(''),
  greek: (pick, n) => Array.from({ length: n }, () => pick(range(0x3b1, 0x3c9))).join(''),
  han: (pick, n) => Array.from({ length: n }, () => pick(HAN)).join(''),
  kana: (pick, n) => Array.from({ length: n }, () => pick([...range(0x3041, 0x3093), ...range(0x30a1, 0x30f3)])).join(''),
  hangul: (pick, n) => Array.from({ length: n }, () => pick(range(0xac00, 0xd7a3))).join(''),
  arabic: (pick, n) => Array.from({ length: n }, () => pick(range(0x621, 0x64a))).join(''),
  hebrew: (pick, n) => Array.from({ length: n }, () => pick(range(0x5d0, 0x5ea))).join(''),
  devanagari: (pick, n) => Array.from({ length: n }, () => pick(range(0x915, 0x939)) + (pick([0, 1]) ? pick(DEVANAGARI_SIGNS) : '')).join(''),
  thai: (pick, n) => Array.from({ length: n }, () => pick(range(0xe01, 0xe2e)) + (pick([0, 0, 1]) ? pick(THAI_MARKS) : '')).join(''),
  emoji: (pick, n) => Array.from({ length: Math.min(n, 4) }, () => pick(EMOJI)).join(''),
};

function randomCase(seed: number) {
  const next = random(seed);
  const pick: Pick = (items) => items[Math.floor(next() * items.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const caption = () => {
    const home = pick(Object.keys(SCRIPTS));
    const words = Array.from({ length: int(1, 14) }, () => SCRIPTS[next() < 0.7 ? home : pick(Object.keys(SCRIPTS))](pick, int(1, 9)));
    return words.join(' ');
  };
  const width = int(96, 400);
  const height = int(96, 400);
  const which = int(0, 2);
  const captions = { top: which !== 1 ? caption() : undefined, bottom: which !== 0 ? caption() : undefined };
  const faceWidth = int(width / 5, width * 0.8);
  const faceHeight = int(height / 5, height * 0.9);
  const face = next() < 0.7 ? { x: int(0, width - faceWidth), y: int(0, height - faceHeight), width: faceWidth, height: faceHeight } : undefined;
  return { seed, width, height, captions, face };
}

describe('random captions', () => {
  it(`${CASES} random captions: no NaN in any path, every grapheme inked inside the frame (pixels checked for half), nothing lost, faces clear`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= CASES; seed++) {
      const { width, height, captions, face } = randomCase(seed);
      const name = `seed ${seed} (${width}x${height}, ${JSON.stringify(captions)})`;
      const plan = planCaptions(captions, width, height, { face });
      if (plan.notes.length) failures.push(`${name}: notes ${plan.notes}`);
      const svg = captionSvg(plan)!;
      if (/NaN|Infinity|e[+-]\d/.test(svg)) failures.push(`${name}: non-finite number in the SVG`);
      // Every case is checked on the plan (each grapheme has a glyph with ink, inside the frame); every other one
      // is also rasterised and checked pixel by pixel (a raster costs ~20 ms, most of the test's time).
      const rgba = seed % 2 ? await rasterizeSvg(svg, plan.width, plan.height) : undefined;
      for (const problem of inkProblems(plan, rgba)) failures.push(`${name}: ${problem}`);
      for (const caption of plan.captions) {
        const shown = caption.lines.map((l) => l.shaped.text).join('').replace(/ /g, '');
        if (shown !== memeText(captions[caption.position]!).replace(/ /g, '')) failures.push(`${name}: ${caption.position} caption lost text`);
        if (caption.top < 0 || caption.bottom > plan.height) failures.push(`${name}: ${caption.position} caption outside the frame`);
        const faceTop = face ? plan.pictureTop + face.y : 0;
        if (face && !caption.inBand && caption.top < faceTop + face.height && caption.bottom > faceTop) failures.push(`${name}: ${caption.position} caption over the face`);
      }
      if (failures.length > 10) break;
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
