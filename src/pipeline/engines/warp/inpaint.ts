// Fills a hole in an image from the pixels around it: a membrane (each unknown pixel the mean of its neighbours,
// the known pixels fixed) solved over an image pyramid, so the fill diffuses smoothly in from the hole's border.
// Push-pull alone (each level's gaps taken from the coarser level, upsampled) left blotches the size of the
// pyramid's cells; relaxing every level after its pull smooths them away. Used once per photo to paint the
// background the moving head may uncover; never stretches pixels from inside the hole.
import type { RgbImage } from '../../types.ts';

interface Level {
  width: number;
  height: number;
  /** Colour premultiplied by weight, 3 per pixel. */
  colour: Float32Array;
  /** Confidence in [0, 1]. */
  weight: Float32Array;
}

/** Sums 2×2 blocks; a block's weight is capped at 1 (its colour rescaled with it). */
function push(fine: Level): Level {
  const width = Math.ceil(fine.width / 2);
  const height = Math.ceil(fine.height / 2);
  const colour = new Float32Array(width * height * 3);
  const weight = new Float32Array(width * height);
  for (let y = 0; y < fine.height; y++) {
    for (let x = 0; x < fine.width; x++) {
      const f = y * fine.width + x;
      const c = (y >> 1) * width + (x >> 1);
      weight[c] += fine.weight[f];
      colour[c * 3] += fine.colour[f * 3];
      colour[c * 3 + 1] += fine.colour[f * 3 + 1];
      colour[c * 3 + 2] += fine.colour[f * 3 + 2];
    }
  }
  for (let c = 0; c < weight.length; c++) {
    if (weight[c] <= 1) continue;
    const scale = 1 / weight[c];
    weight[c] = 1;
    colour[c * 3] *= scale;
    colour[c * 3 + 1] *= scale;
    colour[c * 3 + 2] *= scale;
  }
  return { width, height, colour, weight };
}

/** Completes `fine` with the (already complete) coarser level, bilinearly upsampled, where it lacks weight. */
function pull(fine: Level, coarse: Level): void {
  for (let y = 0; y < fine.height; y++) {
    const cy = Math.min(coarse.height - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(coarse.height - 1, y0 + 1);
    const fy = cy - y0;
    for (let x = 0; x < fine.width; x++) {
      const f = y * fine.width + x;
      const missing = 1 - fine.weight[f];
      if (missing <= 0) continue;
      const cx = Math.min(coarse.width - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(coarse.width - 1, x0 + 1);
      const fx = cx - x0;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const i00 = (y0 * coarse.width + x0) * 3, i10 = (y0 * coarse.width + x1) * 3;
      const i01 = (y1 * coarse.width + x0) * 3, i11 = (y1 * coarse.width + x1) * 3;
      for (let k = 0; k < 3; k++) {
        const up = coarse.colour[i00 + k] * w00 + coarse.colour[i10 + k] * w10 + coarse.colour[i01 + k] * w01 + coarse.colour[i11 + k] * w11;
        fine.colour[f * 3 + k] += missing * up;
      }
      fine.weight[f] = 1;
    }
  }
}

/** Gauss-Seidel sweeps of the membrane on each level after its pull (alternating direction). */
const SWEEPS = 6;

/**
 * Relaxes `level` towards v = own + (1 − weight) · mean of the 4 neighbours, where `own` is the level's colour
 * (premultiplied by `weight`) before the pull: known pixels keep their colour, unknown ones become the mean of
 * their neighbours, partly known ones a blend. With `only`, just the pixels it marks move (the hole, at full size:
 * nothing else there is read). At the picture's edge the missing neighbour is mirrored from the other side.
 */
function relax(level: Level, own: Float32Array, weight: Float32Array, only?: Uint8Array): void {
  const { width, height, colour } = level;
  let count = 0;
  const free = new Int32Array(width * height);
  for (let p = 0; p < width * height; p++) if (weight[p] < 1 && (!only || only[p])) free[count++] = p;
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    for (let k = 0; k < count; k++) {
      const p = free[forward ? k : count - 1 - k];
      const x = p % width;
      const left = x > 0 ? p - 1 : p + 1;
      const right = x < width - 1 ? p + 1 : p - 1;
      const up = p >= width ? p - width : p + width;
      const down = p + width < width * height ? p + width : p - width;
      const share = (1 - weight[p]) / 4;
      for (let c = 0; c < 3; c++) {
        const sum = colour[left * 3 + c] + colour[right * 3 + c] + colour[up * 3 + c] + colour[down * 3 + c];
        colour[p * 3 + c] = own[p * 3 + c] + share * sum;
      }
    }
  }
}

/**
 * A copy of `image` whose pixels with `hole[p] !== 0` are painted from the pixels with `known[p] !== 0` (the
 * two need not be complementary: known may leave out pixels that should not bleed in). With no known pixel at
 * all the image is returned unchanged (nothing to fill from).
 */
export function fillFromSurroundings(image: RgbImage, known: Uint8Array, hole: Uint8Array): Uint8Array {
  const { width, height, data } = image;
  const base: Level = { width, height, colour: new Float32Array(width * height * 3), weight: new Float32Array(width * height) };
  let anyKnown = false;
  for (let p = 0; p < width * height; p++) {
    if (!known[p]) continue;
    anyKnown = true;
    base.weight[p] = 1;
    base.colour[p * 3] = data[p * 3];
    base.colour[p * 3 + 1] = data[p * 3 + 1];
    base.colour[p * 3 + 2] = data[p * 3 + 2];
  }
  const out = Uint8Array.from(data);
  if (!anyKnown) return out;
  const pyramid = [base];
  while (pyramid[pyramid.length - 1].width > 1 || pyramid[pyramid.length - 1].height > 1) pyramid.push(push(pyramid[pyramid.length - 1]));
  const top = pyramid[pyramid.length - 1];
  for (let k = 0; k < 3; k++) top.colour[k] /= top.weight[0]; // the top pixel holds the mean of what is known
  top.weight[0] = 1;
  for (let l = pyramid.length - 2; l >= 0; l--) {
    const level = pyramid[l];
    const [own, weight] = [Float32Array.from(level.colour), Float32Array.from(level.weight)];
    pull(level, pyramid[l + 1]);
    relax(level, own, weight, l === 0 ? hole : undefined);
  }
  for (let p = 0; p < width * height; p++) {
    if (!hole[p]) continue;
    for (let k = 0; k < 3; k++) out[p * 3 + k] = Math.min(255, Math.max(0, Math.round(base.colour[p * 3 + k])));
  }
  return out;
}
