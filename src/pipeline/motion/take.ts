// One take of a driver's motion on one photo: the frames in the order the seed's variation plays them (a later
// start wraps round, and the clip's end glides back to its first pose before the seam), with the variation's
// strengths applied and the face kept inside the picture, plus each frame's target landmarks. Engines draw
// what this plans; they decide nothing about motion.
import { resampleMotion } from './extract-motion.ts';
import { keepInFrame } from './keep-in-frame.ts';
import { axesOfHeadPose, headPoseOfAxes } from '../face/head-pose.ts';
import { type MotionFrame, type MotionTrack, motionFrame } from './motion-track.ts';
import { type PhotoFaceGeometry, retargetLandmarks } from './retarget.ts';
import { eulerDegToRotation, rotationToEulerDeg } from './rigid-fit.ts';
import { type TakeVariation, takeVariation } from './take-variation.ts';

/** Frames over which the clip's end blends back into its first pose where a later start wraps round. */
const SEAM_FRAMES = 6;

interface TakeOptions {
  width: number;
  height: number;
  fps: number;
  seed?: number;
}

export interface Take {
  /** Per output frame, the head motion (bounded) and expression it shows. */
  frames: MotionFrame[];
  /** Per output frame, the photo's face landmarks (xyz, pixels) in that frame. */
  targets: Float32Array[];
}

function copyFrame(frame: MotionFrame): MotionFrame {
  return {
    rotation: Float32Array.from(frame.rotation),
    scale: frame.scale,
    translation: Float32Array.from(frame.translation),
    expression: Float32Array.from(frame.expression),
    eyes: Float32Array.from(frame.eyes),
    gaze: Float32Array.from(frame.gaze),
    mouthCrop: frame.mouthCrop,
  };
}

function mixRotation(a: ArrayLike<number>, b: ArrayLike<number>, w: number): Float32Array {
  const ea = rotationToEulerDeg(a);
  const eb = rotationToEulerDeg(b);
  const mix = (x: number, y: number) => x + (y - x) * w;
  return Float32Array.from(eulerDegToRotation(mix(ea.yaw, eb.yaw), mix(ea.pitch, eb.pitch), mix(ea.roll, eb.roll)));
}

/** `a` moved a share `w` of the way to `b` (w = 0: a, w = 1: b). */
function mixFrames(a: MotionFrame, b: MotionFrame, w: number): MotionFrame {
  const mix = (x: Float32Array, y: Float32Array) => x.map((v, i) => v + (y[i] - v) * w);
  return {
    rotation: mixRotation(a.rotation, b.rotation, w),
    scale: a.scale + (b.scale - a.scale) * w,
    translation: mix(a.translation, b.translation),
    expression: mix(a.expression, b.expression),
    eyes: mix(a.eyes, b.eyes),
    gaze: mix(a.gaze, b.gaze),
    mouthCrop: a.mouthCrop >= 0 ? a.mouthCrop : b.mouthCrop, // the frame's own mouth while it still shows
  };
}

/** The frames in playing order: from `startFraction` to the end, then from the start. */
function playingOrder(motion: MotionTrack, startFraction: number): MotionFrame[] {
  const count = motion.frameCount;
  const start = Math.round(startFraction * count) % count;
  const first = motionFrame(motion, 0);
  return Array.from({ length: count }, (_, i) => {
    const source = (start + i) % count;
    const frame = copyFrame(motionFrame(motion, source));
    const toSeam = count - source; // frames left before the wrap back to frame 0
    if (start === 0 || toSeam > SEAM_FRAMES) return frame;
    return mixFrames(frame, first, (SEAM_FRAMES + 1 - toSeam) / (SEAM_FRAMES + 1));
  });
}

function multiply(a: ArrayLike<number>, b: ArrayLike<number>, transposeB = false): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c] += a[r * 3 + k] * (transposeB ? b[c * 3 + k] : b[k * 3 + c]);
  return out;
}

/**
 * The driver's head pose change since its first frame (yaw, pitch, roll, times `scale`) added to the photo's
 * own pose, as the rotation that takes the photo's head there: the photo shows the driver's relative pose at
 * full strength whatever its own pose. The driver's pose comes from the precise rigid fit (frame.rotation,
 * relative to frame 0) applied to its first frame's head axes.
 */
function retargetRotation(frame: MotionFrame, driverAxes: ArrayLike<number>, photoAxes: Float64Array, scale: number): void {
  const first = headPoseOfAxes(driverAxes);
  const now = headPoseOfAxes(multiply(frame.rotation, driverAxes));
  const photo = headPoseOfAxes(photoAxes);
  const target = axesOfHeadPose({
    yaw: photo.yaw + (now.yaw - first.yaw) * scale,
    pitch: photo.pitch + (now.pitch - first.pitch) * scale,
    roll: photo.roll + (now.roll - first.roll) * scale,
  });
  frame.rotation.set(multiply(target, photoAxes, true));
}

function applyStrengths(frame: MotionFrame, variation: TakeVariation): void {
  for (let a = 0; a < 3; a++) frame.translation[a] *= variation.translationScale;
  frame.scale = 1 + (frame.scale - 1) * variation.translationScale;
}

export function planTake(photo: PhotoFaceGeometry, track: MotionTrack, options: TakeOptions): Take {
  const motion = resampleMotion(track, options.fps);
  const variation = takeVariation(options.seed);
  const frames = playingOrder(motion, variation.startFraction);
  for (const frame of frames) {
    retargetRotation(frame, track.referenceAxes, photo.axes, variation.rotationScale);
    applyStrengths(frame, variation);
  }
  const retarget = { expressionScale: variation.expressionScale };
  const target = (frame: MotionFrame) => retargetLandmarks(photo, frame, track.referenceAxes, retarget);
  const targets = keepInFrame(frames, photo.landmarks, photo.size, options.width, options.height, target);
  return { frames, targets };
}
