// The picture a face picker shows: the photo at its working size with each choosable face boxed and numbered
// (1.. in reading order, face-choice.ts). Digits are drawn as seven-segment paths, so no font is needed.
import type { PhotoFacts } from '../input-inspector.ts';
import { compositeRgba } from './composite.ts';
import { decodeImage, encodeJpeg, type ImageLimits, rasterizeSvg, resizeToFit } from './image.ts';

/** Segments a..g of a 10×20 digit cell: [x1, y1, x2, y2]. */
const SEGMENTS: readonly [number, number, number, number][] = [
  [1, 0, 9, 0],
  [10, 1, 10, 9],
  [10, 11, 10, 19],
  [1, 20, 9, 20],
  [0, 11, 0, 19],
  [0, 1, 0, 9],
  [1, 10, 9, 10],
];
/** Which segments each digit lights (a..g as bits 0..6). */
const DIGITS = [0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f];

/** An SVG path drawing `n` with its cell's top-left at (x, y), `scale` pixels per cell unit. */
function numberPath(n: number, x: number, y: number, scale: number): string {
  return [...String(n)]
    .map((digit, k) =>
      SEGMENTS.filter((_, s) => DIGITS[Number(digit)] & (1 << s))
        .map(([x1, y1, x2, y2]) => `M${x + (k * 14 + x1) * scale} ${y + y1 * scale}L${x + (k * 14 + x2) * scale} ${y + y2 * scale}`)
        .join(''),
    )
    .join('');
}

/** The SVG overlay: a box round each face and its number in a badge at the box's top-left corner. */
function faceNumbersSvg(facts: PhotoFacts): string {
  const { width, height } = facts;
  const parts = facts.faces.map((box, i) => {
    const n = i + 1;
    const scale = Math.max(0.8, Math.min(2, box.width / 60));
    const badgeW = (String(n).length * 14 + 4) * scale;
    const badgeH = 28 * scale;
    const bx = Math.max(0, Math.min(width - badgeW, box.x));
    const by = Math.max(0, Math.min(height - badgeH, box.y - badgeH));
    return [
      `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="none" stroke="#ffd400" stroke-width="3"/>`,
      `<rect x="${bx}" y="${by}" width="${badgeW}" height="${badgeH}" fill="#ffd400"/>`,
      `<path d="${numberPath(n, bx + 4 * scale, by + 4 * scale, scale)}" stroke="#000" stroke-width="${2.6 * scale}" stroke-linecap="round" fill="none"/>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The photo as analysed (PhotoFacts' size) with its faces boxed and numbered, as a JPEG. */
export async function drawFaceNumbers(photo: Buffer, facts: PhotoFacts, limits: ImageLimits = {}): Promise<Buffer> {
  const image = await resizeToFit(await decodeImage(photo, limits), Math.max(facts.width, facts.height));
  const overlay = await rasterizeSvg(faceNumbersSvg(facts), image.width, image.height);
  const data = compositeRgba(Uint8Array.from(image.data), overlay, image.width, image.height);
  return encodeJpeg({ ...image, data }, 88);
}
