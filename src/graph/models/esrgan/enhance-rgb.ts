// Real-ESRGAN's image wrapper (RealESRGANer.enhance as HelloMeme's generator calls it, hellomeme/tools/sr.py):
// RGB uint8 → [0, 1] floats, reflect-pad 10 px right and bottom, reflect-pad to a multiple of the unshuffle factor,
// upscale (tiled), crop the padding away, clamp, ×255 and round half to even as numpy does. Host arrays only.
import { DEFAULT_TILES, type PlanarImage, type TileOptions, type TileRunner, upscaleTiled } from './tiled-upscale.ts';

/** RealESRGANer's pre_pad: reflected context below and right of the frame, cropped off afterwards. */
const PRE_PAD = 10;

interface RgbPixels {
  readonly width: number;
  readonly height: number;
  /** interleaved RGB */
  readonly data: Uint8Array;
}

/** torch's F.pad(mode='reflect') index: mirrors about the edge pixel without repeating it. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/** [3, H', W'] floats of `image`/255, padded below and right by reflection to H' = H + pad (+ to a multiple). */
export function padForUpscale(image: RgbPixels, multiple: number): PlanarImage {
  if (image.width <= PRE_PAD || image.height <= PRE_PAD) throw new RangeError(`a ${image.width}×${image.height} frame is too small for the ${PRE_PAD}-px reflect pad`);
  // Two reflections as RealESRGANer does them: the pre-pad on the frame, then the pad to even on the padded frame.
  const padded = (n: number) => n + PRE_PAD + ((multiple - ((n + PRE_PAD) % multiple)) % multiple);
  const source = (i: number, n: number) => (i < n + PRE_PAD ? reflect(i, n) : reflect(reflect(i, n + PRE_PAD), n));
  const height = padded(image.height);
  const width = padded(image.width);
  const data = new Float32Array(3 * height * width);
  for (let y = 0; y < height; y++) {
    const sy = source(y, image.height);
    for (let x = 0; x < width; x++) {
      const at = (sy * image.width + source(x, image.width)) * 3;
      for (let c = 0; c < 3; c++) data[(c * height + y) * width + x] = Math.fround(image.data[at + c] / 255);
    }
  }
  return { data, channels: 3, height, width };
}

/** numpy's round(): half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The top-left `width`×`height` of an upscaled planar image as RGB uint8 (clamp, ×255 in float32, round). */
export function toRgb(image: PlanarImage, width: number, height: number): RgbPixels {
  const data = new Uint8Array(width * height * 3);
  const plane = image.height * image.width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = Math.min(1, Math.max(0, image.data[c * plane + y * image.width + x]));
        data[(y * width + x) * 3 + c] = roundHalfEven(Math.fround(v * 255));
      }
    }
  }
  return { width, height, data };
}

/** RealESRGANer.enhance(outscale = scale) on one RGB frame; `run` upscales one padded tile. */
export async function enhanceRgb(image: RgbPixels, scale: number, unshuffle: number, run: TileRunner, tiles: TileOptions = DEFAULT_TILES): Promise<RgbPixels> {
  const padded = padForUpscale(image, unshuffle);
  const upscaled = await upscaleTiled(padded, scale, run, { ...tiles, align: Math.max(tiles.align, unshuffle) });
  return toRgb(upscaled, image.width * scale, image.height * scale);
}
