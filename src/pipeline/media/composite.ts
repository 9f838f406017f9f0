// Alpha-blends an RGBA overlay (captions) onto RGB frames in place. Pure pixel math over typed arrays;
// no decoding, no allocation per pixel.

/** Rows [start, end) of the overlay that hold any ink; blending skips the rest. */
interface RowSpan {
  start: number;
  end: number;
}

/** The rows of a width-wide RGBA overlay with any non-transparent pixel, or null when it is all clear. */
export function inkRows(overlay: Uint8Array, width: number): RowSpan | null {
  const rows = overlay.length / (4 * width);
  let start = -1;
  let end = -1;
  for (let y = 0; y < rows; y++) {
    for (let i = y * width * 4 + 3, stop = (y + 1) * width * 4; i < stop; i += 4) {
      if (overlay[i] === 0) continue;
      if (start < 0) start = y;
      end = y + 1;
      break;
    }
  }
  return start < 0 ? null : { start, end };
}

/** frame (RGB, width*height*3) ← overlay (RGBA, width*height*4) over frame, within `rows`; modifies and returns frame. */
export function compositeRgba(frame: Uint8Array, overlay: Uint8Array, width: number, height: number, rows: RowSpan = { start: 0, end: height }): Uint8Array {
  const pixels = width * height;
  if (frame.length !== pixels * 3 || overlay.length !== pixels * 4) {
    throw new RangeError(`compositeRgba: expected ${pixels} pixels, got rgb ${frame.length / 3} and rgba ${overlay.length / 4}`);
  }
  const first = Math.max(0, rows.start) * width;
  const last = Math.min(height, rows.end) * width;
  for (let p = first, o = first * 4, f = first * 3; p < last; p++, o += 4, f += 3) {
    const alpha = overlay[o + 3];
    if (alpha === 0) continue;
    if (alpha === 255) {
      frame[f] = overlay[o];
      frame[f + 1] = overlay[o + 1];
      frame[f + 2] = overlay[o + 2];
      continue;
    }
    const keep = 255 - alpha;
    // (x + 127) / 255 rounds to nearest; integer math keeps it exact and fast.
    frame[f] = ((overlay[o] * alpha + frame[f] * keep + 127) / 255) | 0;
    frame[f + 1] = ((overlay[o + 1] * alpha + frame[f + 1] * keep + 127) / 255) | 0;
    frame[f + 2] = ((overlay[o + 2] * alpha + frame[f + 2] * keep + 127) / 255) | 0;
  }
  return frame;
}
