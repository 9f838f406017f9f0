// The face HelloMeme animates (spec §3.4, §4.2): the face toolkit's static crop of the full-resolution photo
// (crop_and_resize, N = 1: the whole photo cropped, then the crop resized) with the photo's 3DMM translation; where
// the toolkit finds no face, the same crop rule placed by the MediaPipe landmarks, without a translation of its own.
// In a group photo the toolkit's crop counts only when it holds the chosen face (render.ts picks it; the toolkit
// knows nothing of that choice); another face's crop gives way to the MediaPipe one around the chosen face.
import { type CropRect, computeCropRect } from '../../face-toolkit/crop-512.ts';
import { cropImage, resizeBicubic } from '../../face-toolkit/resize-bicubic.ts';
import type { RgbImage } from '../../types.ts';
import type { EngineReference } from '../engine.ts';

interface ReferenceCrop {
  /** The crop at the engine's image size (512² for SD1.5). */
  readonly image: RgbImage;
  /** Where it was cut from the full-resolution photo. */
  readonly rect: CropRect;
  /** ref_trans (spec §4.1 step 5), or null where the toolkit found no face in the photo. */
  readonly trans: readonly number[] | null;
}

const resized = (image: RgbImage, size: number): RgbImage => (image.width === size && image.height === size ? image : resizeBicubic(image, size, size));

/** The MediaPipe landmarks' x, y in full-resolution pixels (they are measured on the output-size image). */
function meshPointsInSource(reference: EngineReference): Float64Array {
  const { landmarks } = reference.face;
  const scale = reference.source.width / reference.image.width;
  const xy = new Float64Array((landmarks.length / 3) * 2);
  for (let i = 0; i < landmarks.length / 3; i++) {
    xy[i * 2] = landmarks[i * 3] * scale;
    xy[i * 2 + 1] = landmarks[i * 3 + 1] * scale;
  }
  return xy;
}

/** Whether the crop (full-resolution pixels) holds the centre of the face the engine was given. */
function holdsChosenFace(rect: CropRect, reference: EngineReference): boolean {
  const { box } = reference.face;
  const scale = reference.source.width / reference.image.width;
  const cx = (box.x + box.width / 2) * scale;
  const cy = (box.y + box.height / 2) * scale;
  return cx >= rect.x0 && cx < rect.x1 && cy >= rect.y0 && cy < rect.y1;
}

export function referenceCrop(reference: EngineReference, imageSize: number): ReferenceCrop {
  const analysis = reference.toolkit;
  if (analysis?.crop.rect && holdsChosenFace(analysis.crop.rect, reference)) {
    return { image: resized(analysis.crop.frames[0], imageSize), rect: analysis.crop.rect, trans: analysis.poses[0].trans };
  }
  const { source } = reference;
  const rect = computeCropRect([meshPointsInSource(reference)], source.width, source.height);
  return { image: resized(cropImage(source, rect.x0, rect.y0, rect.x1, rect.y1), imageSize), rect, trans: null };
}

/** The crop box in output-size pixels (the frames are pasted into the output-size photo). */
export function rectInOutput(rect: CropRect, reference: EngineReference): CropRect {
  const scale = reference.image.width / reference.source.width;
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(v * scale)));
  const { width, height } = reference.image;
  return { x0: clamp(rect.x0, width), y0: clamp(rect.y0, height), x1: clamp(rect.x1, width), y1: clamp(rect.y1, height) };
}
