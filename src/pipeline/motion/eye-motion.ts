// What a driver's eyes do, per frame: each eye's openness relative to its usual openness (blinks, winks,
// widening) and each iris's shift from its usual place (gaze). Relative measures, so they transfer to any
// photo's eyes whatever their size, anime or real. The face mesh often reads a blink of both eyes as one eye
// shut and the other half open (the far eye of a turned head, or a fast lid): eyes that close together count
// as one blink of both; a wink (one eye shut, the other open) stays a wink.
import type { Face } from '../types.ts';
import { type EyeKeyPoints, LEFT_EYE_KEYS, RIGHT_EYE_KEYS } from './face-regions.ts';
import { eyeOpenness, irisOffset } from './face-signals.ts';
import { quantile } from './quantile.ts';

const EYES: readonly EyeKeyPoints[] = [LEFT_EYE_KEYS, RIGHT_EYE_KEYS];
/** The eye's usual openness: most frames are open, blinks are brief, so a high percentile is "open". */
const USUAL_OPEN_QUANTILE = 0.7;
/** Openness changes within this share of the usual are tracking noise, not expression. */
const DEAD_BAND = 0.1;
const MAX_WIDENING = 1.4;
/** An eye closes "together" with the other when its closure is at least this share of the other's. */
const TOGETHER = 0.25;
/** Closures below this are squints, not blinks: no fusion. */
const BLINK_CLOSURE = 0.3;
/** Largest iris shift, in eye widths: along the eye and across it. */
const MAX_GAZE: readonly [number, number] = [0.2, 0.1];

function softDeadBand(ratio: number): number {
  const change = ratio - 1;
  const beyond = Math.max(0, Math.abs(change) - DEAD_BAND) / (1 - DEAD_BAND);
  return Math.max(0, Math.min(MAX_WIDENING, 1 + Math.sign(change) * beyond));
}

/** Openness ratios [left, right] of one frame, with a blink of both eyes made equal. */
export function fuseBlink(left: number, right: number): [number, number] {
  const closureL = 1 - Math.min(1, left);
  const closureR = 1 - Math.min(1, right);
  const most = Math.max(closureL, closureR);
  if (most >= BLINK_CLOSURE && Math.min(closureL, closureR) >= TOGETHER * most) {
    const both = Math.min(left, right);
    return [both, both];
  }
  return [left, right];
}

interface EyeMotion {
  /** [F·2] openness ratio per eye. */
  eyes: Float32Array;
  /** [F·4] iris shift per eye, [along, across] in eye widths. */
  gaze: Float32Array;
}

/**
 * `raw` faces give the lids (smoothing would blur a blink of one or two frames away); `smoothed` faces give
 * the irises (their jitter is larger than most gaze shifts). Frames without a face keep the usual values.
 */
export function extractEyeMotion(raw: (Face | null)[], smoothed: (Face | null)[]): EyeMotion {
  const frameCount = raw.length;
  const eyes = new Float32Array(frameCount * 2).fill(1);
  const gaze = new Float32Array(frameCount * 4);
  EYES.forEach((keys, e) => {
    const open = raw.map((f) => (f ? eyeOpenness(f.landmarks, keys) : Number.NaN));
    const usual = quantile(open.filter(Number.isFinite), USUAL_OPEN_QUANTILE);
    for (let i = 0; i < frameCount; i++) if (usual > 0 && Number.isFinite(open[i])) eyes[i * 2 + e] = softDeadBand(open[i] / usual);
    const offsets = smoothed.map((f) => (f ? irisOffset(f.landmarks, keys) : null));
    for (let axis = 0; axis < 2; axis++) {
      const centre = quantile(offsets.flatMap((o) => (o ? [o[axis]] : [])), 0.5);
      offsets.forEach((o, i) => {
        if (!o) return;
        // A closing lid hides the iris and the iris model guesses: let the shift fade out as the eye shuts.
        const visible = Math.min(1, eyes[i * 2 + e] / 0.6);
        gaze[i * 4 + e * 2 + axis] = Math.max(-MAX_GAZE[axis], Math.min(MAX_GAZE[axis], o[axis] - centre)) * visible;
      });
    }
  });
  for (let i = 0; i < frameCount; i++) eyes.set(fuseBlink(eyes[i * 2], eyes[i * 2 + 1]), i * 2);
  return { eyes, gaze };
}
