// The SD1.5 training noise schedule (scaled_linear betas → alphas_cumprod → VP sigmas) and the numpy-style
// spacing helpers the schedulers share. Pure functions; no scheduler state lives here.

/** The SD1.5 schedule: 1000 training steps, scaled_linear betas from 0.00085 to 0.012. */
const SD15_TRAIN_STEPS = 1000;
const SD15_BETA_START = 0.00085;
const SD15_BETA_END = 0.012;

const f32 = Math.fround;

/**
 * alphas_cumprod of a scaled_linear schedule as diffusers builds it in float32:
 * betas = linspace(√start, √end, n)² and a running product of (1 − beta).
 * torch's linspace fills the first half from the start and the second half back from the end, and its cumprod
 * accumulates in double; replicating that keeps this table within 1 ulp of diffusers' (checked against the goldens).
 */
export function scaledLinearAlphasCumprod(trainSteps = SD15_TRAIN_STEPS, betaStart = SD15_BETA_START, betaEnd = SD15_BETA_END): Float32Array {
  const start = f32(Math.sqrt(betaStart));
  const end = f32(Math.sqrt(betaEnd));
  const step = (end - start) / (trainSteps - 1);
  const halfway = trainSteps >> 1;
  const out = new Float32Array(trainSteps);
  let product = 1;
  for (let i = 0; i < trainSteps; i++) {
    const root = f32(i < halfway ? start + step * i : end - step * (trainSteps - 1 - i));
    const beta = f32(root * root);
    product *= f32(1 - beta);
    out[i] = product;
  }
  return out;
}

/** σ = √((1 − ᾱ)/ᾱ) per training step, in float32 as diffusers computes it. */
export function vpSigmas(alphasCumprod: Float32Array): Float32Array {
  const out = new Float32Array(alphasCumprod.length);
  for (let i = 0; i < alphasCumprod.length; i++) {
    const a = alphasCumprod[i];
    out[i] = Math.sqrt(f32(f32(1 - a) / a));
  }
  return out;
}

/** numpy.linspace(start, stop, num, endpoint): start + i·step, with the exact `stop` as the last point. */
export function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  if (num <= 0) return [];
  if (num === 1) return [start];
  const div = endpoint ? num - 1 : num;
  const step = (stop - start) / div;
  const out = Array.from({ length: num }, (_, i) => start + i * step);
  if (endpoint) out[num - 1] = stop;
  return out;
}

/** numpy.round: halves go to the even neighbour (499.5 → 500, 500.5 → 500). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** numpy.interp of a table indexed 0..n−1 at a (possibly fractional) position. */
export function interpolateTable(table: ArrayLike<number>, position: number): number {
  if (position <= 0) return table[0];
  const last = table.length - 1;
  if (position >= last) return table[last];
  const lo = Math.floor(position);
  const frac = position - lo;
  return frac === 0 ? table[lo] : table[lo] + (table[lo + 1] - table[lo]) * frac;
}
