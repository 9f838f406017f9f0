// The fixed face crop of a whole clip (crop_and_resize): one square box from the union of the landmark boxes and
// their mean size, shifted up and into the frame, resized bicubic to 512²; landmarks mapped along. Or the stretch.
import { MemeError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import { pointBounds } from '../point-bounds.ts';
import { cropImage, resizeBicubic } from './resize-bicubic.ts';

const CROP_SIZE = 512;
const CROP_FACE_SCALE = 3;
const CROP_SHIFT_UP = 0.115;

/** Integer crop rectangle [x0, x1) × [y0, y1). */
export interface CropRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The static crop box for all frames' landmarks (interleaved points) in a width×height frame. */
export function computeCropRect(landmarks: readonly ArrayLike<number>[], width: number, height: number): CropRect {
  if (landmarks.length === 0) throw new MemeError('INTERNAL', 'computeCropRect needs at least one frame of landmarks');
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let sumW = 0;
  let sumH = 0;
  for (const points of landmarks) {
    const b = pointBounds(points, 2);
    minX = Math.min(minX, b.minX);
    minY = Math.min(minY, b.minY);
    maxX = Math.max(maxX, b.maxX);
    maxY = Math.max(maxY, b.maxY);
    sumW += b.maxX - b.minX;
    sumH += b.maxY - b.minY;
  }
  const size = Math.min(Math.max(sumW, sumH) / landmarks.length * CROP_FACE_SCALE, Math.min(width, height) - 1);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2 - size * CROP_SHIFT_UP;
  const tl = [cx - size / 2, cy - size / 2];
  const br = [cx + size / 2, cy + size / 2];
  const limits = [width, height];
  for (let axis = 0; axis < 2; axis++) {
    if (tl[axis] < 0) {
      br[axis] -= tl[axis];
      tl[axis] = 0;
    }
    if (br[axis] >= limits[axis]) {
      tl[axis] -= br[axis] - limits[axis] + 1;
      br[axis] = limits[axis] - 1;
    }
  }
  const side = Math.min(Math.floor(br[0] - tl[0]), Math.floor(br[1] - tl[1]));
  const centre = [(tl[0] + br[0]) / 2, (tl[1] + br[1]) / 2];
  return { x0: Math.trunc(centre[0] - side / 2), y0: Math.trunc(centre[1] - side / 2), x1: Math.trunc(centre[0] + side / 2), y1: Math.trunc(centre[1] + side / 2) };
}

/** Maps frame points into the crop: (p − tl)·size/(br − tl), per axis. */
export function mapPointsToCrop(points: ArrayLike<number>, rect: CropRect, size = CROP_SIZE): Float64Array {
  const out = new Float64Array(points.length);
  const sx = size / (rect.x1 - rect.x0);
  const sy = size / (rect.y1 - rect.y0);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = (points[i] - rect.x0) * sx;
    out[i + 1] = (points[i + 1] - rect.y0) * sy;
  }
  return out;
}

export interface CroppedClip {
  frames: RgbImage[];
  /** landmarks in 512-crop pixels, per frame */
  landmarks: Float64Array[];
  /** the crop in source pixels, or null for the stretch */
  rect: CropRect | null;
}

/** The static 512 crop of frames (one rect for all), or a non-uniform stretch of the whole frame when crop=false. */
export function cropClip512(frames: readonly RgbImage[], landmarks: readonly ArrayLike<number>[], crop = true): CroppedClip {
  if (frames.length !== landmarks.length || frames.length === 0) throw new MemeError('INTERNAL', `cropClip512: ${frames.length} frames but ${landmarks.length} landmark sets`);
  const { width, height } = frames[0];
  const rect = crop ? computeCropRect(landmarks, width, height) : null;
  const region = rect ?? { x0: 0, y0: 0, x1: width, y1: height };
  return {
    rect,
    frames: frames.map((f) => resizeBicubic(rect ? cropImage(f, region.x0, region.y0, region.x1, region.y1) : f, CROP_SIZE, CROP_SIZE)),
    landmarks: landmarks.map((p) => mapPointsToCrop(p, region)),
  };
}
