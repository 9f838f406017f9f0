// Tiled inference for an upscaler whose activations do not fit for a whole frame (64 channels at 2× the input size
// for the last convs): overlapping input tiles, each upscaled on its own, blended into one output. In an overlap
// each tile first gives up a margin next to its cut edge (where its zero padding differs from the real neighbours)
// and then hands over to its neighbour on a linear ramp, so there is no seam; with a margin at least the network's
// receptive field the result equals the untiled one. Host arrays only; the caller runs the network.

export interface TileOptions {
  /** largest tile side in input pixels, give or take the alignment (the whole image when it fits) */
  readonly maxTile: number;
  /** input pixels shared by neighbouring tiles; must exceed 2 × margin */
  readonly overlap: number;
  /** input pixels next to a cut edge that get no weight at all */
  readonly margin: number;
  /** tile starts and sizes are multiples of this (the pixel-unshuffle factor keeps its blocks aligned) */
  readonly align: number;
}

/** Real-ESRGAN ×2 on a 512² frame (522² after its reflect pre-pad): 2×2 tiles of 278², 13% more pixels than one. */
export const DEFAULT_TILES: TileOptions = Object.freeze({ maxTile: 288, overlap: 32, margin: 8, align: 2 });

interface Span {
  readonly start: number;
  readonly size: number;
}

/** Tiles along one axis of `length` pixels: as few as fit, equal sized, spread evenly, aligned, covering it all. */
export function planAxis(length: number, options: TileOptions): Span[] {
  const { maxTile, overlap, margin, align } = options;
  if (overlap <= 2 * margin) throw new RangeError(`tile overlap ${overlap} must exceed twice the margin ${margin}`);
  if (maxTile < 2 * overlap) throw new RangeError(`tiles of ${maxTile} px cannot overlap by ${overlap} on both sides`);
  if (length % align) throw new RangeError(`${length} px is not a multiple of the tile alignment ${align}`);
  if (length <= maxTile) return [{ start: 0, size: length }];
  const ceilTo = (v: number) => Math.ceil(v / align) * align;
  const count = Math.ceil((length - overlap) / (maxTile - overlap - align));
  // + align: rounding the starts down to the grid may shorten an overlap by up to align - 1 pixels.
  const size = Math.min(length, ceilTo((length + (count - 1) * overlap) / count + align));
  return Array.from({ length: count }, (_, i) => {
    const start = i === count - 1 ? length - size : Math.floor(((length - size) * i) / (count - 1) / align) * align;
    return { start, size };
  });
}

/** Weight of each output pixel of `tiles[index]` along its axis (scale output pixels per input pixel). */
export function axisWeights(tiles: readonly Span[], index: number, scale: number, margin: number): Float32Array {
  const { start, size } = tiles[index];
  const w = new Float32Array(size * scale).fill(1);
  const ramp = (overlapPx: number, distance: (u: number) => number) => {
    const m = margin * scale;
    const width = overlapPx * scale - 2 * m;
    for (let u = 0; u < w.length; u++) w[u] *= Math.min(1, Math.max(0, (distance(u) - m) / width));
  };
  const before = tiles[index - 1];
  const after = tiles[index + 1];
  // Distances from pixel centres to the cut edge; in an overlap the two tiles' distances add up to its width.
  if (before) ramp(before.start + before.size - start, (u) => u + 0.5);
  if (after) ramp(start + size - after.start, (u) => w.length - u - 0.5);
  return w;
}

export interface PlanarImage {
  /** channel-major [C, H, W] */
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Runs one tile ([C, h, w] in) and returns it upscaled ([C, h·scale, w·scale]). */
export type TileRunner = (tile: PlanarImage) => Promise<Float32Array>;

function crop(image: PlanarImage, y: Span, x: Span): PlanarImage {
  const data = new Float32Array(image.channels * y.size * x.size);
  for (let c = 0; c < image.channels; c++) {
    for (let r = 0; r < y.size; r++) {
      const from = (c * image.height + y.start + r) * image.width + x.start;
      data.set(image.data.subarray(from, from + x.size), (c * y.size + r) * x.size);
    }
  }
  return { data, channels: image.channels, height: y.size, width: x.size };
}

/** Upscales `image` tile by tile; `onTile(done, total)` reports progress. */
export async function upscaleTiled(image: PlanarImage, scale: number, run: TileRunner, options: TileOptions = DEFAULT_TILES, onTile?: (done: number, total: number) => void): Promise<PlanarImage> {
  const rows = planAxis(image.height, options);
  const cols = planAxis(image.width, options);
  const outH = image.height * scale;
  const outW = image.width * scale;
  const out = new Float32Array(image.channels * outH * outW);
  const weightSum = new Float32Array(outH * outW);
  let done = 0;
  for (const [i, y] of rows.entries()) {
    const wy = axisWeights(rows, i, scale, options.margin);
    for (const [j, x] of cols.entries()) {
      const wx = axisWeights(cols, j, scale, options.margin);
      const tile = await run(crop(image, y, x));
      const th = y.size * scale;
      const tw = x.size * scale;
      for (let r = 0; r < th; r++) {
        const row = (y.start * scale + r) * outW + x.start * scale;
        for (let q = 0; q < tw; q++) {
          const w = wy[r] * wx[q];
          if (w === 0) continue;
          weightSum[row + q] += w;
          for (let c = 0; c < image.channels; c++) out[c * outH * outW + row + q] += w * tile[(c * th + r) * tw + q];
        }
      }
      onTile?.(++done, rows.length * cols.length);
    }
  }
  for (let p = 0; p < weightSum.length; p++) {
    if (weightSum[p] === 1) continue;
    for (let c = 0; c < image.channels; c++) out[c * outH * outW + p] /= weightSum[p];
  }
  return { data: out, channels: image.channels, height: outH, width: outW };
}
