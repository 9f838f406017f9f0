// The landmark alignment loop: a similarity crop to 128² from a detector box or from previous points, the net, the
// inverse map back to the frame, 3 iterations in all. Owns the crop matrices; the net is passed in as a function.
import type { RgbImage } from '../types.ts';
import { pointBounds } from '../point-bounds.ts';
import { type Affine, invertAffine, rotationMatrix2D, transformPoints, translateAffine } from './affine.ts';
import { buildLandmarkInput, LANDMARK_INPUT_SIZE, type LandmarkNetOutput, rollFromPoints } from './landmarks-222.ts';
import { warpAffine } from './warp-affine.ts';

const ALIGN_EXPAND_RATIO = 0.15;
const ALIGN_ITERATIONS = 3;

/** Runs the landmark model on a 1×3×128×128 input. */
export type LandmarkNet = (input: Float32Array) => Promise<LandmarkNetOutput>;

/** Box crop: scale dst/max(w, h)·(1 − expand), no rotation, box centre → (dst/2, dst/2). */
export function boxWarpMatrix(box: readonly number[], dstSize = LANDMARK_INPUT_SIZE, expandRatio = ALIGN_EXPAND_RATIO): Affine {
  const cx = (box[0] + box[2]) / 2;
  const cy = (box[1] + box[3]) / 2;
  const scale = (dstSize / Math.max(box[2] - box[0], box[3] - box[1])) * (1 - expandRatio);
  return translateAffine(rotationMatrix2D(cx, cy, 0, scale), dstSize / 2 - cx, dstSize / 2 - cy);
}

export interface PointsWarp {
  matrix: Affine;
  /** bbox centre of the source points (the rotation centre) */
  centerX: number;
  centerY: number;
  scale: number;
}

/**
 * "gt pts" crop: rotate the points by angleDeg about their bbox centre, size the crop on the rotated bbox
 * (dst/max·(1 − expand)), and move the centre of the transformed points' bbox to (dst/2, dst/2).
 */
export function pointsWarpMatrix(points: ArrayLike<number>, angleDeg: number, dstSize = LANDMARK_INPUT_SIZE, expandRatio = ALIGN_EXPAND_RATIO): PointsWarp {
  const b = pointBounds(points, 2);
  const centerX = (b.minX + b.maxX) / 2;
  const centerY = (b.minY + b.maxY) / 2;
  const rotated = pointBounds(transformPoints(points, rotationMatrix2D(centerX, centerY, angleDeg, 1)), 2);
  const scale = (dstSize / Math.max(rotated.maxX - rotated.minX, rotated.maxY - rotated.minY)) * (1 - expandRatio);
  const m = rotationMatrix2D(centerX, centerY, angleDeg, scale);
  const moved = pointBounds(transformPoints(points, m), 2);
  const matrix = translateAffine(m, dstSize / 2 - (moved.minX + moved.maxX) / 2, dstSize / 2 - (moved.minY + moved.maxY) / 2);
  return { matrix, centerX, centerY, scale };
}

export interface AlignedFace {
  /** 222 points interleaved, frame pixels */
  points: Float64Array;
  pitchRad: number;
  yawRad: number;
  /** roll as the net's last crop saw it (crop-relative, as the toolkit reports it) */
  cropRollRad: number;
  prob: number;
  /** the last crop matrix (frame → 128 crop) */
  matrix: Affine;
}

export type AlignSeed = { readonly box: readonly number[] } | { readonly points: ArrayLike<number> };

const RAD_TO_DEG = 180 / Math.PI;

async function runOnce(frame: RgbImage, matrix: Affine, net: LandmarkNet): Promise<AlignedFace> {
  const crop = warpAffine(frame, matrix, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE);
  const out = await net(buildLandmarkInput(crop));
  return { points: transformPoints(out.points, invertAffine(matrix)), pitchRad: out.pitchRad, yawRad: out.yawRad, cropRollRad: out.rollRad, prob: out.prob, matrix };
}

/**
 * Aligns one face. The first crop comes from the seed (a box at angle 0, or previous points at their own roll);
 * each refinement re-crops from the last points at the *crop-relative* roll the net reported, exactly as the
 * reference does (so the crop angle alternates between ≈roll and ≈0 on tilted faces: a parity trap, kept on purpose).
 */
export async function alignFace(frame: RgbImage, net: LandmarkNet, seed: AlignSeed, iterations = ALIGN_ITERATIONS): Promise<AlignedFace> {
  const first = 'box' in seed ? boxWarpMatrix(seed.box) : pointsWarpMatrix(seed.points, rollFromPoints(seed.points) * RAD_TO_DEG).matrix;
  let face = await runOnce(frame, first, net);
  for (let i = 1; i < iterations; i++) face = await runOnce(frame, pointsWarpMatrix(face.points, face.cropRollRad * RAD_TO_DEG).matrix, net);
  return face;
}
