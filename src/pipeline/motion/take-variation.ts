// "Another take": what a seed changes about how a driver's motion is performed. Seed 0 (the default) is the
// faithful take; any other seed gives a visibly different one that stays within what issue 12 holds the
// engine to (head turns within 0.85–1.15 of the driver's, expression 0.9–1.25, the whole face in the frame):
// the clip starts at another moment, the expression is stronger or softer, the head moves more or less.

export interface TakeVariation {
  /** Multiplies the driver's expression displacements. */
  expressionScale: number;
  /** Multiplies the driver's head rotation angles. */
  rotationScale: number;
  /** Multiplies the driver's head shift and size change. */
  translationScale: number;
  /** Where in the clip the take starts, as a share of its length (it wraps round to the start). */
  startFraction: number;
}

export const FAITHFUL_TAKE: Readonly<TakeVariation> = Object.freeze({ expressionScale: 1, rotationScale: 1, translationScale: 1, startFraction: 0 });

/** mulberry32: a small, well-mixed 32-bit generator; the same seed always gives the same sequence. */
function generator(seed: number): () => number {
  let state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function takeVariation(seed: number | undefined): TakeVariation {
  if (!seed) return FAITHFUL_TAKE;
  const next = generator(seed);
  const between = (low: number, high: number) => low + (high - low) * next();
  return {
    expressionScale: between(0.9, 1.25),
    rotationScale: between(0.85, 1.15),
    translationScale: between(0.5, 1),
    // Never near 0: another take must look different from the first.
    startFraction: between(0.2, 0.7),
  };
}
