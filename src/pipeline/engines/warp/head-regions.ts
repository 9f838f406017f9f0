// Where one photo head is, for the warp: its frame (chin, axis, size) and the share of its motion each point
// follows (1 on face and hair, fading down the neck, 0 on shoulders, body and at the picture's border).
// Geometry only: group-regions.ts turns the shares into layers, holes and the background plate.
import { smoothstep } from '../../smoothstep.ts';
import { stillBorderWidth } from '../../still-border.ts';

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
 * The picture's border never moves: a band stillBorderWidth() pixels wide is pinned outright (the mesh has
 * vertices on its inner edge, so nothing inside it is resampled), and motion ramps up over the next BORDER_PIN
 * face heights (at least BORDER_RAMP_PX), smoothly.
 */
const BORDER_PIN = 0.12;
const BORDER_RAMP_PX = 6;

/** Where the head's ellipse (forehead to chin, ear to ear) puts (x, y): below 1 inside it, growing outwards. */
export function headEllipseDistance(head: HeadFrame, x: number, y: number): number {
  const dx = x - (head.chin[0] - (head.down[0] * head.height) / 2);
  const dy = y - (head.chin[1] - (head.down[1] * head.height) / 2);
  const along = (dx * head.down[0] + dy * head.down[1]) / (head.height / 2);
  const across = (dx * head.down[1] - dy * head.down[0]) / head.halfWidth;
  return Math.hypot(along, across);
}

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
  return smoothstep(stillBorderWidth(width, height), margin, edge);
}

/** Distance from the picture's edge (pixels) from which the head moves fully. */
export function borderMargin(head: HeadFrame, width: number, height: number): number {
  return stillBorderWidth(width, height) + Math.max(BORDER_RAMP_PX, head.height * BORDER_PIN);
}
