// Keeps the whole retargeted face inside the picture: where the driver's shift, size change or a full-strength
// turn would push landmarks past an edge, the size change is first taken back towards the photo's own size
// (never beyond what the driver did), then the head is shifted back in. Corrections ramp in and out over a
// few frames, so the head glides instead of jumping. A face the photo itself crops may stay as cropped.
import type { MotionFrame } from './motion-track.ts';

/** Empty space kept between the face and the picture's edge, as a share of the shorter side. */
const MARGIN = 0.015;
/** Corrections reach this many frames either side of the frame that needs them. */
const RAMP_FRAMES = 3;

interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function bounds(points: Float32Array): Bounds {
  const b = { minX: Number.POSITIVE_INFINITY, minY: Number.POSITIVE_INFINITY, maxX: Number.NEGATIVE_INFINITY, maxY: Number.NEGATIVE_INFINITY };
  for (let i = 0; i < points.length; i += 3) {
    b.minX = Math.min(b.minX, points[i]);
    b.maxX = Math.max(b.maxX, points[i]);
    b.minY = Math.min(b.minY, points[i + 1]);
    b.maxY = Math.max(b.maxY, points[i + 1]);
  }
  return b;
}

/** Where the face may go: the picture less a margin, or as far as the photo's own face already reaches. */
function allowedBounds(photo: Float32Array, width: number, height: number): Bounds {
  const margin = MARGIN * Math.min(width, height);
  const own = bounds(photo);
  return {
    minX: Math.min(margin, own.minX),
    minY: Math.min(margin, own.minY),
    maxX: Math.max(width - 1 - margin, own.maxX),
    maxY: Math.max(height - 1 - margin, own.maxY),
  };
}

/** Each value becomes the mean over ±RAMP_FRAMES of the largest value within ±RAMP_FRAMES: never below it. */
function rampUp(values: number[]): number[] {
  const at = (i: number) => values[Math.max(0, Math.min(values.length - 1, i))];
  const envelope = values.map((_, i) => Math.max(...Array.from({ length: 2 * RAMP_FRAMES + 1 }, (_, k) => at(i + k - RAMP_FRAMES))));
  const envelopeAt = (i: number) => envelope[Math.max(0, Math.min(values.length - 1, i))];
  return values.map((_, i) => {
    let sum = 0;
    for (let k = -RAMP_FRAMES; k <= RAMP_FRAMES; k++) sum += envelopeAt(i + k);
    return sum / (2 * RAMP_FRAMES + 1);
  });
}

/** Smooths a signed correction: its positive and negative parts ramp separately. */
function rampSigned(values: number[]): number[] {
  const up = rampUp(values.map((v) => Math.max(0, v)));
  const down = rampUp(values.map((v) => Math.max(0, -v)));
  return up.map((u, i) => u - down[i]);
}

/**
 * Adjusts each frame's scale and translation (in place) so `target(frame)` stays inside width × height, and
 * returns each frame's final target. `size` converts pixel shifts into the track's face-size units.
 */
export function keepInFrame(frames: MotionFrame[], photo: Float32Array, size: number, width: number, height: number, target: (frame: MotionFrame) => Float32Array): Float32Array[] {
  const allowed = allowedBounds(photo, width, height);
  // 1. Size: a frame whose face would not fit gives back some of the driver's growth (never shrinks below 1).
  const shrink = frames.map((frame) => {
    if (frame.scale <= 1) return 0;
    const b = bounds(target(frame));
    const fit = Math.min((allowed.maxX - allowed.minX) / (b.maxX - b.minX), (allowed.maxY - allowed.minY) / (b.maxY - b.minY));
    return fit >= 1 ? 0 : Math.min(frame.scale - 1, frame.scale * (1 - fit));
  });
  rampUp(shrink).forEach((amount, i) => {
    frames[i].scale = Math.max(1, frames[i].scale - amount);
  });
  // 2. Position: shift back whatever still crosses an edge.
  const targets = frames.map(target);
  const shifts = targets.map((points) => {
    const b = bounds(points);
    const dx = Math.max(0, allowed.minX - b.minX) - Math.max(0, b.maxX - allowed.maxX);
    const dy = Math.max(0, allowed.minY - b.minY) - Math.max(0, b.maxY - allowed.maxY);
    return [dx, dy];
  });
  const dx = rampSigned(shifts.map((s) => s[0]));
  const dy = rampSigned(shifts.map((s) => s[1]));
  frames.forEach((frame, i) => {
    frame.translation[0] += dx[i] / size;
    frame.translation[1] += dy[i] / size;
    // A shift moves every point alike: the final target is the one measured, shifted.
    const points = targets[i];
    for (let j = 0; j < points.length; j += 3) {
      points[j] += dx[i];
      points[j + 1] += dy[i];
    }
  });
  return targets;
}
