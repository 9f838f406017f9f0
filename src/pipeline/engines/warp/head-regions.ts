// Where the photo's head, neck, body and background are, for the warp: the share of the head's motion each
// point follows (1 on face and hair, fading down the neck, 0 on shoulders, body and at the picture's border),
// the person layer's opacity (segmentation ∪ face), and the hole the moving head may uncover, painted once
// from the background around it. Decides regions only; the mesh and the rasterizer apply them.
import { FACE_OVAL } from '../../motion/face-regions.ts';
import type { RgbImage } from '../../types.ts';
import { fillFromSurroundings } from './inpaint.ts';
import { refineMatte } from './matte-refine.ts';

/** The photo's head in its own axes (roll included), from the face landmarks (xyz, image pixels). */
export interface HeadFrame {
  chin: [number, number];
  /** Unit vector from the forehead towards the chin. */
  down: [number, number];
  /** Forehead-top to chin distance. */
  height: number;
  /** Half the distance between the ear-side landmarks; also the head's radius in the depth model. */
  halfWidth: number;
  /** Midpoint between the ear-side landmarks and its depth (the head's silhouette plane). */
  middle: [number, number, number];
}

const FOREHEAD_TOP = 10;
const CHIN = 152;
const EAR_SIDES: readonly [number, number] = [234, 454];

/** Below the chin the neck takes this many face heights to go from following the head to staying put. */
const NECK_LENGTH = 0.6;
/**
 * Lateral reach (in half-widths off the head's axis) of the moving region: wide above the ears (big hair),
 * narrowing to the neck's width from the ears down to the chin, so high shoulders beside the jaw stay put.
 */
const NECK_REACH = 1.0;
const HAIR_REACH = 2.6;
/** Where the narrowing starts and ends, in face heights below the chin (the ears sit about halfway up). */
const EAR_LINE = -0.55;
const JAW_LINE = -0.05;
/**
 * The picture's border never moves: a band STILL_BAND pixels wide is pinned outright (the mesh has vertices on
 * its inner edge, so nothing inside it is resampled), and motion ramps up over the next BORDER_PIN face heights.
 */
export const STILL_BAND = 6;
const BORDER_PIN = 0.12;
/** The hole's head share is looked up on a grid this many pixels apart. */
const SHARE_STEP = 4;
/** Person probability (0..255) above which a pixel is part of the person or its soft fringe, not background. */
const FRINGE = 16;
/** Unsure mask pixels look for sure person and background colours within this many face heights. */
const MATTE_REACH = 0.1;

export function headFrame(landmarks: Float32Array): HeadFrame {
  const at = (i: number) => [landmarks[i * 3], landmarks[i * 3 + 1], landmarks[i * 3 + 2]];
  const [tx, ty] = at(FOREHEAD_TOP);
  const [cx, cy] = at(CHIN);
  const height = Math.max(1, Math.hypot(cx - tx, cy - ty));
  const [l, r] = EAR_SIDES.map(at);
  return {
    chin: [cx, cy],
    down: [(cx - tx) / height, (cy - ty) / height],
    height,
    halfWidth: Math.max(1, Math.hypot(r[0] - l[0], r[1] - l[1]) / 2),
    middle: [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2, (l[2] + r[2]) / 2],
  };
}

const smoothstep = (edge0: number, edge1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
};

/** Share of the head's motion at (x, y): 1 on the head, fading down the neck and sideways into the shoulders. */
export function headShare(head: HeadFrame, x: number, y: number): number {
  const dx = x - head.chin[0];
  const dy = y - head.chin[1];
  const below = (dx * head.down[0] + dy * head.down[1]) / head.height; // face heights below the chin
  const mx = x - head.middle[0];
  const my = y - head.middle[1];
  const side = Math.abs(mx * head.down[1] - my * head.down[0]) / head.halfWidth; // half-widths off the head's axis
  const neck = 1 - smoothstep(0, NECK_LENGTH, below);
  const narrowing = smoothstep(EAR_LINE, JAW_LINE, below);
  const lateral = 1 - narrowing * smoothstep(NECK_REACH, NECK_REACH + 0.5, side);
  return neck * lateral * (1 - smoothstep(HAIR_REACH, HAIR_REACH + 0.7, side));
}

/** 0 within the still band along the picture's edge, 1 from `margin` pixels inside it. */
export function borderPin(x: number, y: number, width: number, height: number, margin: number): number {
  const edge = Math.min(x, y, width - 1 - x, height - 1 - y);
  return smoothstep(STILL_BAND, margin, edge);
}

export function borderMargin(head: HeadFrame): number {
  return STILL_BAND + Math.max(6, head.height * BORDER_PIN);
}

/** Fills the face oval polygon (source landmarks) with 255 in `alpha`: the face is always opaque person. */
function fillFaceOval(alpha: Uint8Array, width: number, height: number, landmarks: Float32Array): void {
  const xs = FACE_OVAL.map((i) => landmarks[i * 3]);
  const ys = FACE_OVAL.map((i) => landmarks[i * 3 + 1]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  for (let y = y0; y <= y1; y++) {
    const crossings: number[] = [];
    for (let k = 0, j = xs.length - 1; k < xs.length; j = k++) {
      if (ys[k] > y !== ys[j] > y) crossings.push(xs[k] + ((y - ys[k]) * (xs[j] - xs[k])) / (ys[j] - ys[k]));
    }
    crossings.sort((a, b) => a - b);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      for (let x = Math.max(0, Math.ceil(crossings[c])); x <= Math.min(width - 1, Math.floor(crossings[c + 1])); x++) alpha[y * width + x] = 255;
    }
  }
}

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

export interface PhotoRegions {
  head: HeadFrame;
  /** Opacity of the moving person layer per source pixel (0..255). */
  alpha: Uint8Array;
  /** 1 where the background plate differs from the photo (the hole the head may uncover). */
  hole: Uint8Array;
  /** The photo with the hole painted from the background around it: what shows where the head leaves. */
  plate: Uint8Array;
}

/** Regions of one photo from its landmarks and person mask (0..255 per pixel). */
export function photoRegions(image: RgbImage, landmarks: Float32Array, person: Uint8Array): PhotoRegions {
  const { width, height } = image;
  const head = headFrame(landmarks);
  const alpha = refineMatte(image, person, Math.max(4, Math.round(head.height * MATTE_REACH)));
  fillFaceOval(alpha, width, height, landmarks);
  const margin = borderMargin(head);
  // The head share changes slowly: evaluated every SHARE_STEP pixels, the nearest value stands for the block.
  const cols = Math.ceil(width / SHARE_STEP);
  const shares = new Float32Array(cols * Math.ceil(height / SHARE_STEP));
  for (let y = 0; y < height; y += SHARE_STEP) {
    for (let x = 0; x < width; x += SHARE_STEP) {
      const [cx, cy] = [Math.min(width - 1, x + SHARE_STEP / 2), Math.min(height - 1, y + SHARE_STEP / 2)];
      shares[(y / SHARE_STEP) * cols + x / SHARE_STEP] = headShare(head, cx, cy) * borderPin(cx, cy, width, height, margin);
    }
  }
  const moving = new Uint8Array(width * height);
  const touched = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (alpha[p] < FRINGE) continue;
      touched[p] = 1;
      if (shares[((y / SHARE_STEP) | 0) * cols + ((x / SHARE_STEP) | 0)] > 0.005) moving[p] = 1; // below the vertices' 0.01: the block errs towards the hole
    }
  }
  const hole = dilate(moving, width, height, 2);
  // Fill from background clear of the person's fringe, so skin, hair and clothes do not bleed into it; from
  // whatever lies outside the hole when the person fills nearly the whole picture.
  const nearPerson = dilate(touched, width, height, 3);
  const known = new Uint8Array(width * height);
  let background = 0;
  for (let p = 0; p < known.length; p++) {
    known[p] = nearPerson[p] ? 0 : 1;
    background += known[p];
  }
  if (background < width * height * 0.02) for (let p = 0; p < known.length; p++) known[p] = hole[p] ? 0 : 1;
  return { head, alpha, hole, plate: fillFromSurroundings(image, known, hole) };
}
