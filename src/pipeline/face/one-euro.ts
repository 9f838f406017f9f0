// One-Euro filter (Casiez et al., CHI 2012): an adaptive low-pass whose cutoff rises with speed, so
// slow jitter is smoothed and fast motion keeps little lag. Pure math over numbers and typed arrays.

export interface OneEuroParams {
  /** Cutoff in Hz at zero speed: lower = smoother still signal, more lag. */
  minCutoff: number;
  /** Cutoff increase per unit of speed (value units per second): higher = follows fast motion closer. */
  beta: number;
  /** Cutoff in Hz of the low-pass on the derivative estimate. */
  dCutoff: number;
}

/** Defaults for landmark tracks in pixels at video frame rates (jitter ~1 px, motion up to hundreds of px/s). */
export const LANDMARK_SMOOTHING: Readonly<OneEuroParams> = Object.freeze({ minCutoff: 2, beta: 0.02, dCutoff: 1 });

/** Smoothing factor of a first-order low-pass with the given cutoff for a step of dtSec (eq. 4 of the paper). */
export function smoothingFactor(cutoffHz: number, dtSec: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtSec);
}

/** Scalar One-Euro filter; feed values in time order. */
export class OneEuroFilter {
  private readonly params: OneEuroParams;
  private previousValue = 0;
  private previousDerivative = 0;
  private previousTimeSec = 0;
  private started = false;

  constructor(params: Partial<OneEuroParams> = {}) {
    this.params = { ...LANDMARK_SMOOTHING, ...params };
  }

  /** Returns the filtered value. The first sample passes through; a non-increasing timestamp returns the last output. */
  filter(value: number, timestampSec: number): number {
    if (!this.started) {
      this.started = true;
      this.previousValue = value;
      this.previousTimeSec = timestampSec;
      return value;
    }
    const dtSec = timestampSec - this.previousTimeSec;
    if (!(dtSec > 0)) return this.previousValue;
    const { minCutoff, beta, dCutoff } = this.params;
    const derivative = (value - this.previousValue) / dtSec;
    const derivativeAlpha = smoothingFactor(dCutoff, dtSec);
    this.previousDerivative += derivativeAlpha * (derivative - this.previousDerivative);
    const cutoff = minCutoff + beta * Math.abs(this.previousDerivative);
    this.previousValue += smoothingFactor(cutoff, dtSec) * (value - this.previousValue);
    this.previousTimeSec = timestampSec;
    return this.previousValue;
  }

  reset(): void {
    this.started = false;
    this.previousDerivative = 0;
  }
}

/**
 * One-Euro over a track of equally spaced samples; every element of the arrays is filtered
 * independently with the same logic as OneEuroFilter. Returns new arrays; the input is untouched.
 */
export function smoothTrack(track: Float32Array[], fps: number, params: Partial<OneEuroParams> = {}): Float32Array[] {
  if (track.length === 0) return [];
  if (!(fps > 0)) throw new RangeError(`fps must be positive, got ${fps}`);
  const { minCutoff, beta, dCutoff } = { ...LANDMARK_SMOOTHING, ...params };
  const dtSec = 1 / fps;
  const derivativeAlpha = smoothingFactor(dCutoff, dtSec);
  const size = track[0].length;
  const value = Float64Array.from(track[0]);
  const derivative = new Float64Array(size);
  const out: Float32Array[] = [Float32Array.from(track[0])];
  for (let t = 1; t < track.length; t++) {
    const sample = track[t];
    if (sample.length !== size) throw new RangeError(`track sample ${t} has ${sample.length} values, expected ${size}`);
    const filtered = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const d = (sample[i] - value[i]) / dtSec;
      derivative[i] += derivativeAlpha * (d - derivative[i]);
      const alpha = smoothingFactor(minCutoff + beta * Math.abs(derivative[i]), dtSec);
      value[i] += alpha * (sample[i] - value[i]);
      filtered[i] = value[i];
    }
    out.push(filtered);
  }
  return out;
}
