// cv2.warpAffine / warpPerspective (affine matrix) over RGB images: bilinear or bicubic, constant-0 border, integer
// coordinates at pixel centres, source positions quantised to 1/32 px with OpenCV's fixed-point weights.
import type { RgbImage } from '../types.ts';
import { type Affine, invertAffine } from './affine.ts';
import { cvRound, INTER_TAB_SIZE, REMAP_COEF_SCALE, remapTable } from './opencv-rounding.ts';

type WarpInterpolation = 'bilinear' | 'bicubic';

interface WarpOptions {
  readonly interpolation?: WarpInterpolation;
  /** 'affine': warpAffine's 10-bit fixed-point rows; 'perspective': warpPerspective's per-pixel rounding */
  readonly quantisation?: 'affine' | 'perspective';
}

const AB_SCALE = 1 << 10;

/** Source position of destination pixel (x, y) in 1/32 px, as OpenCV computes it. */
function sourceTaps(inv: Affine, y: number, mode: 'affine' | 'perspective'): (x: number) => [number, number] {
  if (mode === 'perspective') {
    return (x) => [cvRound((inv[0] * x + inv[1] * y + inv[2]) * INTER_TAB_SIZE), cvRound((inv[3] * x + inv[4] * y + inv[5]) * INTER_TAB_SIZE)];
  }
  const roundDelta = AB_SCALE / INTER_TAB_SIZE / 2;
  const x0 = cvRound((inv[1] * y + inv[2]) * AB_SCALE) + roundDelta;
  const y0 = cvRound((inv[4] * y + inv[5]) * AB_SCALE) + roundDelta;
  const shift = AB_SCALE / INTER_TAB_SIZE;
  return (x) => [Math.floor((x0 + cvRound(inv[0] * x * AB_SCALE)) / shift), Math.floor((y0 + cvRound(inv[3] * x * AB_SCALE)) / shift)];
}

/** Warps `src` by the forward matrix `forward` (source → destination) into a width×height image. */
export function warpAffine(src: RgbImage, forward: Affine, width: number, height: number, options: WarpOptions = {}): RgbImage {
  const kind = options.interpolation ?? 'bilinear';
  const kernel = kind === 'bilinear' ? 2 : 4;
  const table = remapTable(kind);
  const inv = invertAffine(forward);
  const out = new Uint8Array(width * height * 3);
  const acc = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const tapsAt = sourceTaps(inv, y, options.quantisation ?? 'affine');
    for (let x = 0; x < width; x++) {
      const [qx, qy] = tapsAt(x);
      const weights = table[(qy & (INTER_TAB_SIZE - 1)) * INTER_TAB_SIZE + (qx & (INTER_TAB_SIZE - 1))];
      const sx = Math.floor(qx / INTER_TAB_SIZE) - (kernel === 4 ? 1 : 0);
      const sy = Math.floor(qy / INTER_TAB_SIZE) - (kernel === 4 ? 1 : 0);
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (let ky = 0; ky < kernel; ky++) {
        const py = sy + ky;
        if (py < 0 || py >= src.height) continue;
        for (let kx = 0; kx < kernel; kx++) {
          const px = sx + kx;
          if (px < 0 || px >= src.width) continue;
          const w = weights[ky * kernel + kx];
          const at = (py * src.width + px) * 3;
          acc[0] += w * src.data[at];
          acc[1] += w * src.data[at + 1];
          acc[2] += w * src.data[at + 2];
        }
      }
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.min(255, Math.max(0, Math.floor((acc[c] + REMAP_COEF_SCALE / 2) / REMAP_COEF_SCALE)));
    }
  }
  return { width, height, data: out };
}
