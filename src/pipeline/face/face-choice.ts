// Which of a photo's faces a meme animates: every usable face (the default), the largest, or face N in reading
// order (left to right, then top to bottom: the numbers the pickers show). Owns the numbering, the size floor,
// the cap of six, each animated face's start offset, and the notes that tell the person what was left still.
import { InputError } from '../../errors.ts';
import type { Face } from '../types.ts';

/** `all`, `largest`, or a 1-based face number in reading order. */
export type FaceChoice = 'all' | 'largest' | number;

export const DEFAULT_FACE_CHOICE: FaceChoice = 'all';
/** Most faces animated at once: each face costs its own warp every frame. */
export const MAX_ANIMATED_FACES = 6;
/**
 * A face whose box is narrower or shorter than this (pixels of the working picture, 512 px by default) is left
 * still in a group: its eyes are a few pixels across, so lids, irises and mouth cannot be drawn. The largest
 * face is always animated, however small, as a one-face photo always was.
 */
export const MIN_ANIMATED_FACE_PX = 40;
/**
 * Default start offset between neighbouring faces in reading order, seconds: a quarter second (3 frames at
 * 12 fps) reads as a ripple across the group rather than a lockstep copy, and six faces still span under 1.5 s.
 */
const DEFAULT_FACE_OFFSET_SEC = 0.25;

interface FaceSelection {
  /** Faces to animate in drawing order: the smallest first, the largest (nearest) last, so it overlaps the others. */
  animated: Face[];
  /** Per animated face (same order), where in the clip it starts, in seconds. */
  offsetsSec: number[];
  /** Detected faces left still (too small, past the six largest, or not chosen): they keep their own region. */
  still: Face[];
  /** What the person should be told (faces left still and why). */
  notes: string[];
}

interface SelectOptions {
  /** False for engines that animate one face only (HelloMeme): `all` takes the largest, with a note. */
  multiFace: boolean;
  /** Offset between neighbouring faces in reading order (default DEFAULT_FACE_OFFSET_SEC; 0: in lockstep). */
  offsetSec?: number;
  /** The engine's name for the one-face note. */
  engineName?: string;
}

/** `--face all|largest|N` and the bots' picker values; throws BAD_OPTION naming what is allowed. */
export function parseFaceChoice(text: string): FaceChoice {
  const value = text.trim().toLowerCase();
  if (value === 'all' || value === 'largest') return value;
  if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  const detail = `the face must be all, largest or a face number from 1, got '${text}'`;
  throw new InputError('BAD_OPTION', detail, { detail });
}

const area = (face: Face) => face.box.width * face.box.height;
const centreX = (face: Face) => face.box.x + face.box.width / 2;
const centreY = (face: Face) => face.box.y + face.box.height / 2;

/** `faces` in reading order: rows top to bottom (a face joins a row when its centre is within half a face height of the row's), each row left to right. */
function readingOrder(faces: readonly Face[]): Face[] {
  const rows: Face[][] = [];
  for (const face of [...faces].sort((a, b) => centreY(a) - centreY(b))) {
    const row = rows[rows.length - 1];
    const rowY = row ? row.reduce((sum, f) => sum + centreY(f), 0) / row.length : 0;
    const rowHeight = row ? row.reduce((sum, f) => sum + f.box.height, 0) / row.length : 0;
    if (row && Math.abs(centreY(face) - rowY) < rowHeight / 2) row.push(face);
    else rows.push([face]);
  }
  return rows.flatMap((row) => row.sort((a, b) => centreX(a) - centreX(b)));
}

function usable(face: Face, largest: Face): boolean {
  return face === largest || (face.box.width >= MIN_ANIMATED_FACE_PX && face.box.height >= MIN_ANIMATED_FACE_PX);
}

/** The faces a person can pick, numbered 1.. in reading order: every face at least MIN_ANIMATED_FACE_PX (and the largest). */
export function numberedFaces(detected: readonly Face[]): Face[] {
  const largest = [...detected].sort((a, b) => area(b) - area(a))[0];
  return readingOrder(detected.filter((face) => usable(face, largest)));
}

/** What `choice` animates among `detected` (the analyzer's faces, any order); throws BAD_OPTION for a face number that is not there. */
export function selectFaces(detected: readonly Face[], choice: FaceChoice, options: SelectOptions): FaceSelection {
  const numbered = numberedFaces(detected);
  const tooSmall = detected.filter((face) => !numbered.includes(face));
  const notes: string[] = [];
  let chosen: Face[];
  if (typeof choice === 'number') {
    const face = numbered[choice - 1];
    if (!face) {
      const detail = `this photo has ${numbered.length === 1 ? 'one face' : `${numbered.length} faces`}, so there is no face ${choice}`;
      throw new InputError('BAD_OPTION', detail, { detail });
    }
    chosen = [face];
  } else {
    const bySize = [...numbered].sort((a, b) => area(b) - area(a));
    chosen = choice === 'largest' ? bySize.slice(0, 1) : bySize.slice(0, MAX_ANIMATED_FACES);
    if (choice === 'all' && bySize.length > MAX_ANIMATED_FACES) {
      notes.push(`${bySize.length} faces found: the ${MAX_ANIMATED_FACES} largest are animated, the others stay still`);
    }
    if (choice === 'all' && chosen.length > 1 && !options.multiFace) {
      notes.push(`the ${options.engineName ?? 'chosen'} engine animates one face: the largest (face ${numbered.indexOf(bySize[0]) + 1} of ${numbered.length}); the others stay still`);
      chosen = bySize.slice(0, 1);
    }
  }
  if (tooSmall.length > 0 && numbered.length + tooSmall.length > 1) {
    const count = tooSmall.length === 1 ? 'one face is' : `${tooSmall.length} faces are`;
    notes.push(`${count} smaller than ${MIN_ANIMATED_FACE_PX} pixels and stay${tooSmall.length === 1 ? 's' : ''} still`);
  }
  const animated = [...chosen].sort((a, b) => area(a) - area(b));
  const step = options.offsetSec ?? DEFAULT_FACE_OFFSET_SEC;
  const offsetsSec = animated.map((face) => (animated.length > 1 ? numbered.indexOf(face) * step : 0));
  return { animated, offsetsSec, still: detected.filter((face) => !chosen.includes(face)), notes };
}
