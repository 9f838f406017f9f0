// Builds the tensor a detection pass runs on (downscaled and optionally padded copy of an RgbImage)
// and the map from its pixels back to the original's. It runs no model.
import { InputError } from '../../errors.ts';
import type { RgbImage } from '../types.ts';
import type { CoordinateMap } from './face-convert.ts';
import type { TfCore, TfTensor } from './human-runtime.ts';

/** Larger images are downscaled for detection: BlazeFace sees 256 px and the mesh a 192 px crop anyway. */
const MAX_DETECTION_SIDE_PX = 1024;
/** Mid-grey padding: neutral for BlazeFace's [-1, 1] input normalisation. */
const PAD_VALUE = 127;

interface DetectionInput {
  tensor: TfTensor;
  /** Width of the tensor in pixels (human's boxRaw is relative to it). */
  width: number;
  map: CoordinateMap;
}

export interface PassOptions {
  /** Extra border on every side as a fraction of the longer side (the input is always padded to a square). */
  padFraction: number;
}

/** Throws NOT_AN_IMAGE unless the buffer matches the declared RGB size. */
export function assertRgbImage(image: RgbImage): void {
  const ok =
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    image.width > 0 &&
    image.height > 0 &&
    image.data?.length === image.width * image.height * 3;
  if (!ok) {
    throw new InputError('NOT_AN_IMAGE', 'expected an RGB image with width * height * 3 bytes', {
      width: image.width,
      height: image.height,
      bytes: image.data?.length,
    });
  }
}

/** Downscale factor (detection px per original px) that fits the longer side into MAX_DETECTION_SIDE_PX. */
export function detectionScale(width: number, height: number, maxSidePx = MAX_DETECTION_SIDE_PX): number {
  return Math.min(1, maxSidePx / Math.max(width, height));
}

interface Border {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** RGB bytes as float32 [H, W, 3] inside a constant border: one JS pass instead of int32 → cast → pad on wasm. */
export function borderedPixels(image: RgbImage, border: Border, fill: number): Float32Array {
  const outWidth = image.width + border.left + border.right;
  const outHeight = image.height + border.top + border.bottom;
  const out = new Float32Array(outWidth * outHeight * 3).fill(fill);
  const rowValues = image.width * 3;
  for (let y = 0; y < image.height; y++) {
    const src = y * rowValues;
    const dst = ((y + border.top) * outWidth + border.left) * 3;
    out.set(image.data.subarray(src, src + rowValues), dst); // typed-array set converts bytes to floats
  }
  return out;
}

/** The caller owns (and must dispose) the returned tensor. */
export function buildDetectionInput(tf: TfCore, image: RgbImage, pass: PassOptions): DetectionInput {
  const scale = detectionScale(image.width, image.height);
  const scaledWidth = Math.max(1, Math.round(image.width * scale));
  const scaledHeight = Math.max(1, Math.round(image.height * scale));
  // BlazeFace squeezes its input to a 256 px square: pad to a square first so faces keep their shape
  const side = Math.max(scaledWidth, scaledHeight);
  const margin = Math.round(side * pass.padFraction);
  const left = margin + Math.floor((side - scaledWidth) / 2);
  const top = margin + Math.floor((side - scaledHeight) / 2);
  const border = { top, left, right: side + 2 * margin - scaledWidth - left, bottom: side + 2 * margin - scaledHeight - top };
  const paddedShape: [number, number, number] = [scaledHeight + top + border.bottom, scaledWidth + left + border.right, 3];
  const tensor =
    scale < 1
      ? tf.tidy(() => {
          const full = tf.cast(tf.tensor3d(image.data, [image.height, image.width, 3], 'int32'), 'float32');
          const scaled = tf.image.resizeBilinear(full, [scaledHeight, scaledWidth], false, true);
          return tf.pad(scaled, [[top, border.bottom], [left, border.right], [0, 0]], PAD_VALUE);
        })
      : tf.tensor3d(borderedPixels(image, border, PAD_VALUE), paddedShape, 'float32');
  const toOriginal = image.width / scaledWidth;
  return {
    tensor,
    width: paddedShape[1],
    map: {
      scale: toOriginal,
      offsetX: -left * toOriginal,
      offsetY: -top * toOriginal,
      width: image.width,
      height: image.height,
    },
  };
}
