// The per-frame control inputs of the v5 control net (spec §4.1): head-pose images and 548-d expression vectors,
// as tensors. The pose images come from the face toolkit's 3DMM poses of the driver (driver-controls.ts adds PD-FGC
// expressions), or, where the driver has no toolkit analysis, from the MediaPipe motion track. No models here.
import { MemeError } from '../../../errors.ts';
import type { HeadPose3dmm } from '../../face-toolkit/head-pose-3dmm.ts';
import { resizeBicubic } from '../../face-toolkit/resize-bicubic.ts';
import type { MotionTrack } from '../../motion/motion-track.ts';
import type { RgbImage } from '../../types.ts';
import { drawPoseQuad, imageToSignedTensor, POSE_IMAGE_SIZE, projectPoseQuad, retargetTranslation } from './pose-quad.ts';

/** PD-FGC's output per frame: eye 6 + emotion 30 + mouth 512. */
export const EXPRESSION_DIM = 548;

/** What the control net needs for a clip of `frameCount` frames. */
export interface HelloMemeControls {
  readonly frameCount: number;
  /** Side of the square pose images (8 × the latent side). */
  readonly imageSize: number;
  /** [F, 3, S, S] RGB pose images in [−1, 1] (black background = −1). */
  readonly poseImages: Float32Array;
  /** [F, 548] expression vectors; zeros mean "no expression signal" (the unconditional value). */
  readonly expressions: Float32Array;
  /** Where they came from, with notes (held frames, fallbacks); engine.lastRun reports it. */
  readonly source: string;
}

/**
 * Where the fallback places the head: 3DMM camera translation (0, 0, Tz) so the 0.05-unit square spans about a
 * quarter of the canvas, as a frontal face's quad does in HelloMeme's pose images. A nominal value, not measured.
 */
const NOMINAL_POSE_TRANSLATION: readonly number[] = Object.freeze([0, 0, -3.8]);
const DEG = Math.PI / 180;

export function checkControls(controls: HelloMemeControls, frameCount: number, imageSize: number): void {
  const plane = 3 * imageSize * imageSize;
  if (controls.frameCount !== frameCount || controls.imageSize !== imageSize || controls.poseImages.length !== frameCount * plane || controls.expressions.length !== frameCount * EXPRESSION_DIM) {
    throw new MemeError('BAD_TENSOR', `controls for ${controls.frameCount} frames at ${controls.imageSize}px, expected ${frameCount} frames at ${imageSize}px with [F,3,S,S] poses and [F,${EXPRESSION_DIM}] expressions`);
  }
}

/** A 512² pose image as the control net's [3, S, S] tensor (bicubic down to S when the engine runs smaller). */
function poseTensor(image: RgbImage, imageSize: number): Float32Array {
  return imageToSignedTensor(image.width === imageSize && image.height === imageSize ? image : resizeBicubic(image, imageSize, imageSize));
}

/**
 * [F, 3, S, S]: output frame f shows kept driver frame pick[f]'s quad, its own rotation, translated to
 * refTrans + (trans_t − trans_0)·transRatio (spec §4.1 step 5, gen_control_heatmaps).
 */
export function toolkitPoseImages(poses: readonly HeadPose3dmm[], pick: Int32Array, refTrans: readonly number[], transRatio: number, imageSize: number): Float32Array {
  const plane = 3 * imageSize * imageSize;
  const out = new Float32Array(pick.length * plane);
  let tensor: Float32Array | null = null;
  for (let f = 0; f < pick.length; f++) {
    if (f === 0 || pick[f] !== pick[f - 1]) {
      const pose = poses[pick[f]];
      tensor = poseTensor(drawPoseQuad(projectPoseQuad(pose.rot, retargetTranslation(refTrans, pose.trans, poses[0].trans, transRatio))), imageSize);
    }
    out.set(tensor as Float32Array, f * plane);
  }
  return out;
}

/** One pose image [3, S, S] for absolute head angles in degrees (yaw, pitch, roll) from the MotionTrack. */
export function poseImageFor(yawDeg: number, pitchDeg: number, rollDeg: number, imageSize: number): Float32Array {
  // 3DMM angles are (x = pitch, y = yaw, z = roll); MediaPipe's image-space yaw and roll run the other way round.
  const quad = projectPoseQuad([pitchDeg * DEG, -yawDeg * DEG, -rollDeg * DEG], NOMINAL_POSE_TRANSLATION);
  return poseTensor(drawPoseQuad(quad, POSE_IMAGE_SIZE), imageSize);
}

/**
 * Fallback controls from a MotionTrack: the driver's head rotation as the pose image (translation fixed, as with
 * trans_ratio 0) and zero expressions, because PD-FGC needs the driver's face pixels, which a MotionTrack does not
 * carry. Head motion transfers; fine expression does not. `reason` says why the toolkit analysis was missing.
 */
export function motionTrackControls(motion: MotionTrack, imageSize: number, reason: string): HelloMemeControls {
  const plane = 3 * imageSize * imageSize;
  const poseImages = new Float32Array(motion.frameCount * plane);
  for (let f = 0; f < motion.frameCount; f++) {
    const [yaw, pitch, roll] = motion.poses.subarray(f * 3, f * 3 + 3);
    poseImages.set(poseImageFor(yaw, pitch, roll, imageSize), f * plane);
  }
  return { frameCount: motion.frameCount, imageSize, poseImages, expressions: new Float32Array(motion.frameCount * EXPRESSION_DIM), source: `motion-track (${reason})` };
}
