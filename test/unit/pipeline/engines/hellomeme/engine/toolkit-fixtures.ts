// Fixtures for the face-toolkit tests: a models dir with the stand-in face models and a random PD-FGC
// encoder (official layout), and a lossless synthetic driver clip the stand-ins can track, written by real ffmpeg.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PdFgcEncoder } from '../../../../../../src/graph/models/hellomeme/pd-fgc-encoder.ts';
import type { EngineReference } from '../../../../../../src/pipeline/engines/engine.ts';
import { type TensorSpec, writeSafetensorsStreaming } from '../../../../../../src/graph/weights/safetensors-writer.ts';
import { randomParam, seededNormals } from '../../../../../helpers/tiny-hellomeme/tiny-weights.ts';
import { PD_FGC_REPO } from '../../../../../../src/models/model-files.ts';
import { runFfmpeg } from '../../../../../../src/pipeline/media/ffmpeg.ts';
import type { RgbImage } from '../../../../../../src/pipeline/types.ts';
import { writeStandInModels } from '../../../face-toolkit/stand-in-models.ts';

export const SCENE_WIDTH = 320;
export const SCENE_HEIGHT = 544;
/** The stand-in detector fires on the white 16² marker; the landmark stand-in follows the disc's intensity centroid. */
const CENTRE = [87.5, 167.5];

/** Where writeFaceToolkitModels puts the PD-FGC encoder under `modelsDir`. */
export const pdFgcFolder = (modelsDir: string): string => path.join(modelsDir, ...PD_FGC_REPO.split('/'));

/** Stand-in face models plus a random full-size PD-FGC encoder where `models pull` would put them. */
export async function writeFaceToolkitModels(modelsDir: string, seed = 5): Promise<void> {
  await writeStandInModels(modelsDir);
  const folder = pdFgcFolder(modelsDir);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ _class_name: 'FanEncoder', pose_dim: 6, eye_dim: 6 }));
  const specs: TensorSpec[] = [...new PdFgcEncoder().namedParams()].map(([name, slot]) => ({ name, dtype: 'F32', shape: [...slot.shape] }));
  await writeSafetensorsStreaming(path.join(folder, 'diffusion_pytorch_model.safetensors'), specs, (spec, i) => bnAwareParam(spec, seed + i + 1));
}

/** The tiny tool's recipe, but BatchNorm statistics near (0, 1): running means near 1 would let ReLUs zero the signal. */
function bnAwareParam(spec: TensorSpec, seed: number): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.name.endsWith('running_mean')) return seededNormals(count, seed, 0.1);
  if (spec.name.endsWith('running_var')) return seededNormals(count, seed, 0.1).map((v) => 1 + Math.abs(v));
  return randomParam(spec, seed);
}

/**
 * A grey disc (radius 60) with a white marker at its centre, shifted right by `dx`, and a dark "mouth" bar whose
 * height is `mouthPx` (the expression that changes); `empty` gives a black frame the toolkit finds no face in.
 */
export function faceScene(dx: number, mouthPx: number, empty = false): RgbImage {
  const data = new Uint8Array(SCENE_WIDTH * SCENE_HEIGHT * 3);
  if (empty) return { width: SCENE_WIDTH, height: SCENE_HEIGHT, data };
  for (let y = 0; y < SCENE_HEIGHT; y++) {
    for (let x = 0; x < SCENE_WIDTH; x++) {
      const ux = x - dx;
      const marker = ux >= 80 && ux < 96 && y >= 160 && y < 176;
      const mouth = Math.abs(ux - CENTRE[0]) < 20 && y >= 200 && y < 200 + mouthPx;
      const disc = (ux - CENTRE[0]) ** 2 + (y - CENTRE[1]) ** 2 <= 60 ** 2;
      const value = marker ? 255 : mouth ? 40 : disc ? 128 : 0;
      if (value) data.fill(value, (y * SCENE_WIDTH + x) * 3, (y * SCENE_WIDTH + x) * 3 + 3);
    }
  }
  return { width: SCENE_WIDTH, height: SCENE_HEIGHT, data };
}

/** Writes frames as a lossless FFV1 Matroska clip, so the decoded pixels are exactly these. */
export async function writeLosslessClip(file: string, frames: readonly RgbImage[], fps: number): Promise<string> {
  const { width, height } = frames[0];
  const stdin = Buffer.concat(frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)));
  await runFfmpeg(['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', file], { stdin, stdoutToBuffer: false });
  return file;
}

/** The scene as the photo, with 478 MediaPipe-style landmarks on an ellipse over the disc (for the engine's crop). */
export function sceneReference(): EngineReference {
  const image = faceScene(0, 6);
  const landmarks = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) {
    const a = (i / 478) * 2 * Math.PI;
    const r = (i % 7) / 6;
    landmarks[i * 3] = CENTRE[0] + 55 * r * Math.cos(a);
    landmarks[i * 3 + 1] = CENTRE[1] + 60 * r * Math.sin(a);
  }
  return { image, source: image, face: { box: { x: 32, y: 107, width: 110, height: 120 }, score: 1, landmarks, pose: { yaw: 0, pitch: 0, roll: 0 } } };
}

/**
 * A real face the stand-in detector cannot see: the photo at 70 % brightness (its blue channel never reaches the
 * stand-in's white threshold), shifted a few pixels per frame. MediaPipe still finds the face.
 */
export function dimmedFaceFrames(photo: RgbImage, count: number): RgbImage[] {
  return Array.from({ length: count }, (_, f) => {
    const data = new Uint8Array(photo.data.length);
    for (let y = 0; y < photo.height; y++) {
      for (let x = 0; x < photo.width; x++) {
        const from = (y * photo.width + Math.min(photo.width - 1, x + 2 * f)) * 3;
        for (let c = 0; c < 3; c++) data[(y * photo.width + x) * 3 + c] = Math.round(photo.data[from + c] * 0.7);
      }
    }
    return { width: photo.width, height: photo.height, data };
  });
}
