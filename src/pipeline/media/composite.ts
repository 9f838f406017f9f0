// Alpha-blends an RGBA overlay (captions) onto RGB frames in place. Pure pixel math over typed arrays;
// no decoding, no allocation per pixel.

/** frame (RGB, width*height*3) ← overlay (RGBA, width*height*4) over frame; modifies and returns frame. */
export function compositeRgba(frame: Uint8Array, overlay: Uint8Array, width: number, height: number): Uint8Array {
  const pixels = width * height;
  if (frame.length !== pixels * 3 || overlay.length !== pixels * 4) {
    throw new RangeError(`compositeRgba: expected ${pixels} pixels, got rgb ${frame.length / 3} and rgba ${overlay.length / 4}`);
  }
  for (let p = 0, o = 0, f = 0; p < pixels; p++, o += 4, f += 3) {
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
