// Deterministic, seeded standard-normal noise for production sampling: Philox4x32-10 (a counter-based PRNG,
// Salmon et al. 2011) feeding Box–Muller. Value i of a seed is a pure function of (seed, i), so draws are
// reproducible across machines and independent of how a caller splits them. Not torch's generator (see §11).

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const TWO_PI = 2 * Math.PI;
const UINT32_SCALE = 2 ** -32;

/** High 32 bits of the 64-bit product of two uint32 values. */
function mulHigh32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const lohi = aLo * bHi;
  const hilo = aHi * bLo;
  const carry = ((lolo >>> 16) + (lohi & 0xffff) + (hilo & 0xffff)) >>> 16;
  return (aHi * bHi + (lohi >>> 16) + (hilo >>> 16) + carry) >>> 0;
}

/** Philox4x32 with 10 rounds: four uint32 counter words and two key words → four uint32 outputs. */
export function philox4x32(counter: readonly [number, number, number, number], key: readonly [number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((w) => w >>> 0);
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHigh32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulHigh32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** A uint32 → a uniform in the open interval (0, 1), so Box–Muller's log never sees 0. */
function toOpenUniform(word: number): number {
  return (word + 0.5) * UINT32_SCALE;
}

/**
 * Sequential N(0, 1) draws for one seed (any integer 0 … 2^53−1) and stream. Normal i comes from Philox block
 * ⌊i/4⌋ (counter = [block lo, block hi, stream, 0], key = the seed's two 32-bit halves): words (0,1) and (2,3)
 * are each one Box–Muller pair (cos, sin).
 */
export class GaussianNoise {
  private readonly key: [number, number];
  private position = 0;

  constructor(
    readonly seed: number,
    readonly stream = 0,
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`noise seed must be an integer from 0 to 2^53-1, got ${seed}`);
    this.key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  }

  /** How many values have been drawn so far. */
  get drawn(): number {
    return this.position;
  }

  /** The next `count` values. */
  next(count: number): Float32Array {
    const out = new Float32Array(count);
    this.fillFrom(this.position, out);
    this.position += count;
    return out;
  }

  /** Values start … start+out.length−1 of this stream, without moving the sequential position. */
  fillFrom(start: number, out: Float32Array): Float32Array {
    let block = -1;
    let words: number[] = [];
    for (let i = 0; i < out.length; i++) {
      const index = start + i;
      const wanted = Math.floor(index / 4);
      if (wanted !== block) {
        block = wanted;
        words = philox4x32([block >>> 0, Math.floor(block / 2 ** 32) >>> 0, this.stream >>> 0, 0], this.key);
      }
      const lane = index & 3;
      const pair = lane & 2;
      const radius = Math.sqrt(-2 * Math.log(toOpenUniform(words[pair])));
      const angle = TWO_PI * toOpenUniform(words[pair + 1]);
      out[i] = radius * (lane & 1 ? Math.sin(angle) : Math.cos(angle));
    }
    return out;
  }
}
