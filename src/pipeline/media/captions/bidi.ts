// Bidi for captions (UAX #9) on bidi-js: embedding levels per UTF-16 unit, the paragraph's direction, and the
// visual order of shaped runs on one line. Shaping itself never reorders across runs; this file does.
import { createRequire } from 'node:module';
import type { Bidi } from 'bidi-js';

// bidi-js is CommonJS whose typings claim an ES default export; require gives its factory as it really is.
const bidi = (createRequire(import.meta.url)('bidi-js') as () => Bidi)();

/** A BMP character of each bidi class (UAX #9 Table 4) that can stand in for an astral one. */
const STAND_IN: Record<string, string> = { L: 'a', R: '\u05d0', AL: '\u0627', EN: '0', ES: '+', ET: '#', AN: '\u0660', CS: ',', WS: ' ', ON: '!', BN: '\u200b', NSM: '\u0300', S: '\t' };

/**
 * Bidi levels per UTF-16 unit. bidi-js looks up each code unit on its own, so both halves of a surrogate pair
 * (every emoji) would count as strong left-to-right; each astral character is replaced first by two BMP
 * characters of its own bidi class, which keeps the indices.
 */
export function bidiLevels(text: string, direction?: 'ltr' | 'rtl') {
  const bmp = text.replace(/[\u{10000}-\u{10ffff}]/gu, (c) => (STAND_IN[bidi.getBidiCharTypeName(c)] ?? 'a').repeat(2));
  return bidi.getEmbeddingLevels(bmp, direction);
}

export interface LevelRun {
  level: number;
}

/** UAX #9 L2: from the highest level down to the lowest odd one, reverse every stretch at that level or above. */
export function visualOrder<T extends LevelRun>(runs: T[]): T[] {
  const order = [...runs];
  const max = Math.max(...runs.map((r) => r.level));
  const minOdd = Math.min(...runs.map((r) => r.level).filter((l) => l % 2 === 1), max + 1);
  for (let level = max; level >= minOdd; level--) {
    for (let i = 0; i < order.length; i++) {
      if (order[i].level < level) continue;
      let j = i;
      while (j + 1 < order.length && order[j + 1].level >= level) j++;
      order.splice(i, j - i + 1, ...order.slice(i, j + 1).reverse());
      i = j;
    }
  }
  return order;
}

/** The direction of a whole caption, from its first strong character (UAX #9 P2-P3). */
export function paragraphDirection(text: string): 'ltr' | 'rtl' {
  return bidiLevels(text).paragraphs[0]?.level % 2 ? 'rtl' : 'ltr';
}
