// Puts each generated square face crop back into the original photo with a feathered edge, so the meme keeps the
// photo's framing (HelloMeme itself returns the bare crop). Pixel work only; the crop box comes from the engine.
import { MemeError } from '../../../errors.ts';
import type { RgbImage } from '../../types.ts';
import type { CropRect } from '../../face-toolkit/crop-512.ts';
import { resizeBicubic } from '../../face-toolkit/resize-bicubic.ts';

/** Share of the crop side over which the generated pixels fade into the photo. */
const DEFAULT_FEATHER_FRACTION = 0.12;

/** Alpha per pixel of a w×h box: 1 inside, a smoothstep down to 0 over `featherPx` at each edge. */
export function featheredMask(width: number, height: number, featherPx: number): Float32Array {
  const mask = new Float32Array(width * height);
  const feather = Math.max(1e-6, featherPx);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Distance to the nearest edge measured from pixel centres; the outermost pixel is almost fully the photo.
      const d = Math.min(x + 0.5, width - x - 0.5, y + 0.5, height - y - 0.5);
      const t = Math.min(1, d / feather);
      mask[y * width + x] = t * t * (3 - 2 * t);
    }
  }
  return mask;
}

type PasteBack = (crop: RgbImage) => Uint8Array;

/** Prepares the blend for one photo and crop box; the returned function makes one full-size frame per crop. */
export function createPasteBack(photo: RgbImage, rect: CropRect, featherFraction = DEFAULT_FEATHER_FRACTION): PasteBack {
  const boxW = rect.x1 - rect.x0;
  const boxH = rect.y1 - rect.y0;
  if (boxW <= 0 || boxH <= 0 || rect.x0 < 0 || rect.y0 < 0 || rect.x1 > photo.width || rect.y1 > photo.height) {
    throw new MemeError('INTERNAL', `paste-back box [${rect.x0}, ${rect.y0}, ${rect.x1}, ${rect.y1}] does not fit the ${photo.width}×${photo.height} photo`);
  }
  const mask = featheredMask(boxW, boxH, Math.min(boxW, boxH) * featherFraction);
  return (crop) => {
    const resized = crop.width === boxW && crop.height === boxH ? crop : resizeBicubic(crop, boxW, boxH);
    const out = Uint8Array.from(photo.data);
    for (let y = 0; y < boxH; y++) {
      for (let x = 0; x < boxW; x++) {
        const a = mask[y * boxW + x];
        const src = (y * boxW + x) * 3;
        const dst = ((y + rect.y0) * photo.width + x + rect.x0) * 3;
        for (let c = 0; c < 3; c++) out[dst + c] = Math.round(a * resized.data[src + c] + (1 - a) * out[dst + c]);
      }
    }
    return out;
  };
}
