// Tiny stand-ins for HelloMeme's three face models, built with the project's graph layer: same input/output names,
// shapes and dtypes as the shipped files, outputs computed deterministically from the input pixels.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { attr, GraphBuilder, type Value } from '../../../../src/graph/onnx/graph-builder.ts';
import { add, concat, div, matmul, mul, reshape, sigmoid, slice } from '../../../../src/graph/onnx/ops.ts';
import { encodeModelInline } from '../../../../src/graph/onnx/model-writer.ts';

/** Detector stand-in: a stride-s cell scores high only when its s×s window of the letterboxed input is white. */
export const DETECTOR_THRESHOLD = 2.0;
/** Per-side bin (l, t, r, b) that the stand-in's distributions peak at: distances = bin·stride. */
export const DETECTOR_BINS = [3, 4, 5, 6] as const;

function detectorLevel(g: GraphBuilder, blue: Value, stride: number): { score: Value; dist: Value } {
  const rows = Math.ceil(272 / stride);
  const cols = Math.ceil(160 / stride);
  const cells = rows * cols;
  const pooled = g.op('AveragePool', [blue], { kernel_shape: attr.ints([stride, stride]), strides: attr.ints([stride, stride]), ceil_mode: attr.int(1) });
  const flat = reshape(g, pooled, [1, cells, 1]);
  const score = sigmoid(g, mul(g, add(g, flat, g.scalar(-DETECTOR_THRESHOLD)), g.scalar(4)));
  const logits = new Float32Array(32);
  DETECTOR_BINS.forEach((bin, side) => {
    logits[side * 8 + bin] = 30;
  });
  const dist = add(g, mul(g, flat, g.scalar(0)), g.floats([1, 1, 32], logits));
  return { score, dist };
}

export async function buildDetectorStandIn(): Promise<Uint8Array> {
  const g = new GraphBuilder();
  const x = g.input('data', 'float32', [1, 3, 272, 160]);
  const blue = slice(g, x, [0], [1], [1]);
  const levels = [8, 16, 32].map((s) => detectorLevel(g, blue, s));
  levels.forEach((l, i) => {
    g.output(l.score, `cls_pred_stride_${[8, 16, 32][i]}`, 'float32', [1, [680, 170, 45][i], 1]);
  });
  levels.forEach((l, i) => {
    g.output(l.dist, `dis_pred_stride_${[8, 16, 32][i]}`, 'float32', [1, [680, 170, 45][i], 32]);
  });
  return encodeModelInline(g, 'hello_face_det_stand_in');
}

/** Landmark template offsets (crop px, about the blob centroid): 222 points on an ellipse spanning exactly 0.85·128. */
export function landmarkTemplate(): { dx: Float32Array; dy: Float32Array } {
  const dx = new Float32Array(222);
  const dy = new Float32Array(222);
  for (let i = 0; i < 222; i++) {
    const a = (2 * Math.PI * i) / 222;
    dx[i] = 54.4 * Math.cos(a);
    dy[i] = 40 * Math.sin(a);
  }
  // point 0 is (54.4, 0); put the extreme points where the bbox needs them, and level the eye corners
  dy[1] = -54.4;
  dy[2] = 54.4;
  dx[3] = -54.4;
  dx[74] = -20;
  dy[74] = -10;
  dx[96] = 20;
  dy[96] = -10;
  return { dx, dy };
}

export const LANDMARK_EULER = [0.1, -0.2, 0] as const;

/** Landmark stand-in: 222 points = intensity centroid of the crop + a fixed template; prob = mass/(mass+1). */
export async function buildLandmarkStandIn(): Promise<Uint8Array> {
  const g = new GraphBuilder();
  const x = g.input('input_1', 'float32', [1, 3, 128, 128]);
  const intensity = reshape(g, g.op('ReduceMean', [x, g.ints([1])], { keepdims: attr.int(1) }), [1, 128 * 128]);
  const gridX = new Float32Array(128 * 128);
  const gridY = new Float32Array(128 * 128);
  for (let i = 0; i < 128 * 128; i++) {
    gridX[i] = i % 128;
    gridY[i] = Math.floor(i / 128);
  }
  const mass = g.op('ReduceSum', [intensity, g.ints([1])], { keepdims: attr.int(1) });
  const cx = div(g, matmul(g, intensity, g.floats([128 * 128, 1], gridX)), mass);
  const cy = div(g, matmul(g, intensity, g.floats([128 * 128, 1], gridY)), mass);
  const t = landmarkTemplate();
  const xs = add(g, cx, g.floats([1, 222], t.dx));
  const ys = add(g, cy, g.floats([1, 222], t.dy));
  const landmark = mul(g, concat(g, [xs, ys], 1), g.scalar(1 / 128));
  const euler = add(g, mul(g, mass, g.scalar(0)), g.floats([1, 3], Float32Array.from(LANDMARK_EULER)));
  const prob = div(g, mass, add(g, mass, g.scalar(1)));
  g.output(landmark, 'landmark', 'float32', [1, 444]);
  g.output(euler, 'euler', 'float32', [1, 3]);
  g.output(prob, 'prob', 'float32', [1, 1]);
  return encodeModelInline(g, 'hello_face_landmark_stand_in');
}

export const POSE_ANGLES = [0.1, -0.25, 0.05] as const;
export const POSE_CROP_TRANSLATION = [0.02, -0.01, -3] as const;

/** 3DMM stand-in: a fixed 1201-d coefficient vector (angles at 1168, translation at 1198), tied to the input. */
export async function buildHeadPoseStandIn(): Promise<Uint8Array> {
  const g = new GraphBuilder();
  const x = g.input('input', 'float32', [1, 3, 224, 224]);
  const coefficients = new Float32Array(1201);
  coefficients.set(POSE_ANGLES, 1168);
  coefficients.set(POSE_CROP_TRANSLATION, 1198);
  const level = g.op('ReduceMean', [x, g.ints([1, 2, 3])], { keepdims: attr.int(0) });
  const out = add(g, mul(g, reshape(g, level, [1, 1]), g.scalar(0)), g.floats([1, 1201], coefficients));
  g.output(out, 'coeffs', 'float32', [1, 1201]);
  return encodeModelInline(g, 'hello_3dmm_stand_in');
}

/** Writes the three stand-ins where `memeloom models pull` puts the real files. */
export async function writeStandInModels(modelsDir: string): Promise<void> {
  const dir = path.join(modelsDir, 'songkey', 'hello_group_facemodel');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'hello_face_det.onnx'), await buildDetectorStandIn());
  writeFileSync(path.join(dir, 'hello_face_landmark.onnx'), await buildLandmarkStandIn());
  writeFileSync(path.join(dir, 'hello_3dmm.onnx'), await buildHeadPoseStandIn());
}
