// Paints a plausible mouth interior (dark throat, upper teeth) where the warped mouth opens wider than the
// photo's own mouth: stretching closed lips alone would smear lip texture across the gap.
import { INNER_LIPS } from '../../motion/face-regions.ts';
import { blendPixel, columnSpan, horizontalExtent, polygonArea } from './polygon.ts';

const THROAT = [38, 12, 16] as const;
const PALATE = [92, 34, 38] as const;
const TEETH = [226, 220, 208] as const;
/** Share of the opening's height covered by the upper teeth. */
const TEETH_DEPTH = 0.3;

/** Opacity of the painted interior: 0 while the target opening is not clearly larger than the photo's. */
export function mouthInteriorOpacity(sourceArea: number, targetArea: number, faceSizePx: number): number {
  const grown = targetArea - sourceArea * 1.1;
  const fullAt = 0.02 * faceSizePx * faceSizePx; // an opening ~14% of face size squared counts as fully open
  return Math.max(0, Math.min(1, grown / fullAt));
}

export function innerMouthArea(landmarks: Float32Array, stride: number): number {
  return polygonArea(landmarks, INNER_LIPS, stride);
}

/** Fills the inner-lip polygon of `target` (xyz landmarks) in `out` (RGB, width×height). */
export function paintMouthInterior(out: Uint8Array, width: number, height: number, target: Float32Array, opacity: number): void {
  if (opacity <= 0.01) return;
  const [left, right] = horizontalExtent(target, INNER_LIPS, 3);
  const span = Math.max(1, right - left);
  const x0 = Math.max(0, Math.floor(left));
  const x1 = Math.min(width - 1, Math.ceil(right));
  for (let x = x0; x <= x1; x++) {
    const column = columnSpan(target, INNER_LIPS, 3, x + 0.5);
    if (!column) continue;
    const [top, bottom] = column;
    const h = bottom - top;
    if (h < 0.5) continue;
    const u = (x + 0.5 - left) / span; // 0 at one corner, 1 at the other
    const edgeFade = Math.min(1, Math.min(u, 1 - u) * 6); // corners stay lip-coloured
    const y0 = Math.max(0, Math.floor(top));
    const y1 = Math.min(height - 1, Math.ceil(bottom));
    for (let y = y0; y <= y1; y++) {
      const coverage = Math.min(1, y + 1 - top, bottom - y); // anti-aliased top and bottom edges
      if (coverage <= 0) continue;
      const v = (y + 0.5 - top) / h;
      const depth = 1 - Math.abs(v - 0.55) * 1.6; // darkest in the middle
      let r = PALATE[0] + (THROAT[0] - PALATE[0]) * depth;
      let g = PALATE[1] + (THROAT[1] - PALATE[1]) * depth;
      let b = PALATE[2] + (THROAT[2] - PALATE[2]) * depth;
      if (v < TEETH_DEPTH && u > 0.12 && u < 0.88) {
        const shade = 0.82 + 0.18 * (1 - v / TEETH_DEPTH);
        [r, g, b] = [TEETH[0] * shade, TEETH[1] * shade, TEETH[2] * shade];
      }
      blendPixel(out, y * width + x, r, g, b, opacity * coverage * edgeFade);
    }
  }
}
