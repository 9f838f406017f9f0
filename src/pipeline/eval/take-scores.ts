// The figures of one take (one photo animated by one driver): how faithfully the output follows the driver
// (per-angle correlation and distance, amplitude, mouth, blinks), whether it is still the photo's person, and
// whether the picture holds together (face inside the frame, border still, grey stays grey). Both the driver
// and the output are read by the same face analyzer, so the figures compare like with like.
import { headPoseFromLandmarks } from '../face/head-pose.ts';
import { type EyeKeyPoints, LEFT_EYE_KEYS, RIGHT_EYE_KEYS } from '../motion/face-regions.ts';
import { eyeOpenness, mouthOpening } from '../motion/face-signals.ts';
import { stillBorderWidth } from '../still-border.ts';
import type { Face, FrameSequence, RgbImage } from '../types.ts';
import { borderChange, faceInsideFrame, meanChroma } from './frame-checks.ts';
import { expressionDistance, relativeExpression, targetPose } from './quality-metrics.ts';
import { amplitudeRatio, finiteMean, pearson, robustRange } from './series-stats.ts';

const ANGLES = ['yaw', 'pitch', 'roll'] as const;
type Angle = (typeof ANGLES)[number];

/**
 * Below these driver ranges a correlation or ratio measures noise, so the figure is left out (NaN). Measured on the
 * templates (2026-12), the analyzer's frame-to-frame jitter (robust spread of second differences) is about 0.2–0.6°
 * of yaw (1.8° on smug) and 0.003–0.019 face sizes of mouth opening: these floors are at least ~10 times that, so a
 * ratio above them is decided by the motion, not by the jitter.
 */
export const MIN_ANGLE_RANGE_DEG = 6;
export const MIN_MOUTH_RANGE = 0.06;
const MIN_EYE_RANGE = 0.08;
/** A photo whose face has less mean chroma than this (0..255) counts as black-and-white. */
const GREY_CHROMA = 6;

export interface TakeScores {
  /** Pearson r between output and driver per head angle, and of the mouth opening. */
  r: Record<Angle | 'mouth', number>;
  /** Mean absolute distance (degrees) from the photo's pose plus the driver's change since its first frame. */
  apd: Record<Angle, number>;
  /** AED: mean distance of the output's expression (vs the photo) from the driver's (vs its first frame). */
  aed: number;
  /** Output range over driver range; `planned*`: the engine's target landmarks' range, before rendering. */
  amplitude: { yaw: number; mouth: number; plannedYaw: number; plannedMouth: number };
  /** Pearson r of each eye's openness (image-left eye, image-right eye): blinks. */
  blink: { left: number; right: number };
  identity: { mean: number; min: number };
  /** Share of frames whose face was found and lies wholly inside the picture. */
  inside: number;
  /** Largest mean absolute change of the border band over all frames (0..255). */
  border: number;
  /** Mean face chroma of the output when the photo is black-and-white (NaN for colour photos). */
  greyChroma: number;
}

/** A clip's frames and the faces the analyzer tracked in them (null: not found). */
export interface TrackedClip {
  frames: FrameSequence;
  faces: (Face | null)[];
}

interface TakeInput {
  photo: { image: RgbImage; face: Face };
  driver: TrackedClip;
  output: TrackedClip;
  /** Descriptor cosine between the photo and the frames that were described. */
  identities: number[];
  /** The target landmarks the engine drew, per frame (motion/take.ts), to tell motion from rendering. */
  planned: Float32Array[];
}

const poseAngle = (face: Face, angle: Angle) => face.pose[angle];

/** Frame indices where both driver and output have a face. */
function pairedFrames(input: TakeInput): number[] {
  const n = Math.min(input.driver.faces.length, input.output.faces.length);
  return Array.from({ length: n }, (_, i) => i).filter((i) => input.driver.faces[i] && input.output.faces[i]);
}

function series(clip: TrackedClip, frames: number[], read: (face: Face) => number): number[] {
  return frames.map((i) => read(clip.faces[i]!));
}

/** Per frame, the eye's lid gap over its width as the analyzer reads it. */
function eyeSeries(clip: TrackedClip, frames: number[], keys: EyeKeyPoints): number[] {
  return series(clip, frames, (f) => eyeOpenness(f.landmarks, keys));
}

/** Correlation with the driver, or NaN when the driver's series hardly moves (its r would measure noise). */
function followR(output: number[], driver: number[], minRange: number): number {
  return robustRange(driver) >= minRange ? pearson(output, driver) : Number.NaN;
}

export function scoreTake(input: TakeInput): TakeScores {
  const frames = pairedFrames(input);
  const firstDriver = input.driver.faces.find((f): f is Face => f !== null);
  const r = {} as TakeScores['r'];
  const apd = {} as TakeScores['apd'];
  for (const angle of ANGLES) {
    const out = series(input.output, frames, (f) => poseAngle(f, angle));
    const drv = series(input.driver, frames, (f) => poseAngle(f, angle));
    r[angle] = followR(out, drv, MIN_ANGLE_RANGE_DEG);
    apd[angle] = firstDriver ? finiteMean(frames.map((i) => Math.abs(input.output.faces[i]!.pose[angle] - targetPose(input.photo.face.pose, firstDriver.pose, input.driver.faces[i]!.pose)[angle]))) : Number.NaN;
  }
  const drvYaw = series(input.driver, frames, (f) => f.pose.yaw);
  const outMouth = series(input.output, frames, (f) => mouthOpening(f.landmarks));
  const drvMouth = series(input.driver, frames, (f) => mouthOpening(f.landmarks));
  r.mouth = followR(outMouth, drvMouth, MIN_MOUTH_RANGE);
  const eyeR = (keys: EyeKeyPoints) => followR(eyeSeries(input.output, frames, keys), eyeSeries(input.driver, frames, keys), MIN_EYE_RANGE);
  const aed = firstDriver
    ? finiteMean(frames.map((i) => expressionDistance(relativeExpression(input.photo.face.landmarks, input.output.faces[i]!.landmarks), relativeExpression(firstDriver.landmarks, input.driver.faces[i]!.landmarks))))
    : Number.NaN;
  const { image, face } = input.photo;
  const grey = meanChroma(image.data, image.width, image.height, face.box) < GREY_CHROMA;
  const inside = input.output.faces.filter((f) => f && faceInsideFrame(f.landmarks, image.width, image.height)).length;
  const band = stillBorderWidth(image.width, image.height); // the band the engine promises to keep still
  return {
    r,
    apd,
    aed,
    amplitude: {
      yaw: amplitudeRatio(series(input.output, frames, (f) => f.pose.yaw), drvYaw, MIN_ANGLE_RANGE_DEG),
      mouth: amplitudeRatio(outMouth, drvMouth, MIN_MOUTH_RANGE),
      plannedYaw: amplitudeRatio(frames.map((i) => headPoseFromLandmarks(input.planned[i]).yaw), drvYaw, MIN_ANGLE_RANGE_DEG),
      plannedMouth: amplitudeRatio(frames.map((i) => mouthOpening(input.planned[i])), drvMouth, MIN_MOUTH_RANGE),
    },
    blink: { left: eyeR(LEFT_EYE_KEYS), right: eyeR(RIGHT_EYE_KEYS) },
    identity: { mean: finiteMean(input.identities), min: input.identities.length ? Math.min(...input.identities) : Number.NaN },
    inside: input.output.faces.length ? inside / input.output.faces.length : 0,
    border: Math.max(0, ...input.output.frames.frames.map((frame) => borderChange(frame, image, band))),
    greyChroma: grey ? finiteMean(input.output.frames.frames.map((frame) => meanChroma(frame, image.width, image.height, face.box))) : Number.NaN,
  };
}
