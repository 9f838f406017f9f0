// The warp's layers for the faces of one photo: per animated face, the person layer it moves (the person's
// opacity where the pixel is that face's or no face's) and the hole its motion may uncover; for all of them one
// background plate, the photo with every hole painted from the background around it. Where two heads' regions
// meet (hair against hair in a group), each pixel belongs to one head (head-ownership.ts), so one face's motion
// never drags a neighbour's face, hair or shoulders, animated or still. One face alone: exactly its own regions.
import { stillBorderWidth } from '../../still-border.ts';
import type { RgbImage } from '../../types.ts';
import { borderMargin, borderPin, type HeadFrame, headFrame, headShare } from './head-regions.ts';
import { headOwners } from './head-ownership.ts';
import { fillFaceOval } from './polygon.ts';
import { fillFromSurroundings } from './inpaint.ts';
import { refineMatte } from './matte-refine.ts';

/** The hole's head share is looked up on a grid this many pixels apart. */
const SHARE_STEP = 4;
/** Person probability (0..255) above which a pixel is part of the person or its soft fringe, not background. */
const FRINGE = 16;
/** Unsure mask pixels look for sure person and background colours within this many face heights. */
const MATTE_REACH = 0.1;
/** A grid cell where its head's share exceeds this moves (below the vertices' 0.01: the block errs towards the hole). */
const CLAIM = 0.005;

/** Max filter over a square of radius `r` (separable). */
function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let k = Math.max(0, x - r); k <= Math.min(width - 1, x + r) && !m; k++) m = mask[y * width + k];
      rows[y * width + x] = m;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let m = 0;
      for (let k = Math.max(0, y - r); k <= Math.min(height - 1, y + r) && !m; k++) m = rows[k * width + x];
      out[y * width + x] = m;
    }
  }
  return out;
}

/** Zeroes `mask` within `band` pixels of the picture's edge. */
function clearBand(mask: Uint8Array, width: number, height: number, band: number): void {
  for (let y = 0; y < height; y++) {
    const edgeRow = y < band || y >= height - band;
    for (let x = 0; x < width; x++) if (edgeRow || x < band || x >= width - band) mask[y * width + x] = 0;
  }
}

interface FaceRegions {
  head: HeadFrame;
  /** Opacity of this face's moving layer per source pixel (0..255): the person, less other heads' pixels. */
  alpha: Uint8Array;
  /** 1 where this face's motion may uncover the background (the plate is painted there). */
  hole: Uint8Array;
}

interface GroupRegions {
  /** Per animated face, in the order given. */
  faces: FaceRegions[];
  /** The photo with every face's hole painted from the background around it: what shows where heads leave. */
  plate: Uint8Array;
}

/** One face's regions, as the photo of a single face has them. */
export interface PhotoRegions extends FaceRegions {
  plate: Uint8Array;
}

/** Each head's share on the SHARE_STEP grid, border pin included. */
function shareGrid(head: HeadFrame, width: number, height: number): Float32Array {
  const margin = borderMargin(head, width, height);
  // The head share changes slowly: evaluated every SHARE_STEP pixels, the nearest value stands for the block.
  const cols = Math.ceil(width / SHARE_STEP);
  const shares = new Float32Array(cols * Math.ceil(height / SHARE_STEP));
  for (let y = 0; y < height; y += SHARE_STEP) {
    for (let x = 0; x < width; x += SHARE_STEP) {
      const [cx, cy] = [Math.min(width - 1, x + SHARE_STEP / 2), Math.min(height - 1, y + SHARE_STEP / 2)];
      shares[(y / SHARE_STEP) * cols + x / SHARE_STEP] = headShare(head, cx, cy) * borderPin(cx, cy, width, height, margin);
    }
  }
  return shares;
}

/**
 * Regions of the `animated` faces' heads (landmarks xyz, image pixels) given the person mask (0..255 per pixel).
 * `still` faces move nothing but keep their own head's pixels from being dragged by a neighbour's motion.
 */
export function groupRegions(image: RgbImage, animated: readonly Float32Array[], person: Uint8Array, still: readonly Float32Array[] = []): GroupRegions {
  const { width, height } = image;
  const heads = [...animated, ...still].map(headFrame);
  const tallest = Math.max(...heads.slice(0, animated.length).map((head) => head.height));
  const alpha = refineMatte(image, person, Math.max(4, Math.round(tallest * MATTE_REACH)));
  for (const landmarks of [...animated, ...still]) fillFaceOval(alpha, width, height, landmarks);
  const shares = heads.slice(0, animated.length).map((head) => shareGrid(head, width, height));
  const cols = Math.ceil(width / SHARE_STEP);
  const touched = new Uint8Array(width * height);
  for (let p = 0; p < touched.length; p++) touched[p] = alpha[p] >= FRINGE ? 1 : 0;
  const owner = headOwners(heads, [...animated, ...still], touched, width, height);
  const anyHole = new Uint8Array(width * height);
  const faces = animated.map((_, f): FaceRegions => {
    const moving = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        if (touched[p] && owner[p] === f && shares[f][((y / SHARE_STEP) | 0) * cols + ((x / SHARE_STEP) | 0)] > CLAIM) moving[p] = 1;
      }
    }
    const hole = dilate(moving, width, height, 2);
    clearBand(hole, width, height, stillBorderWidth(width, height)); // nothing moves there, so nothing is uncovered
    for (let p = 0; p < hole.length; p++) anyHole[p] |= hole[p];
    const own = heads.length === 1 ? alpha : alpha.map((a, p) => (owner[p] === f ? a : 0));
    return { head: heads[f], alpha: own, hole };
  });
  // Fill from background clear of the people's fringe, so skin, hair and clothes do not bleed into it; from
  // whatever lies outside the holes when people fill nearly the whole picture.
  const nearPerson = dilate(touched, width, height, 3);
  const known = new Uint8Array(width * height);
  let background = 0;
  for (let p = 0; p < known.length; p++) {
    known[p] = nearPerson[p] ? 0 : 1;
    background += known[p];
  }
  if (background < width * height * 0.02) for (let p = 0; p < known.length; p++) known[p] = anyHole[p] ? 0 : 1;
  return { faces, plate: fillFromSurroundings(image, known, anyHole) };
}

/** Regions of a photo with one face. */
export function photoRegions(image: RgbImage, landmarks: Float32Array, person: Uint8Array): PhotoRegions {
  const { faces, plate } = groupRegions(image, [landmarks], person);
  return { ...faces[0], plate };
}
