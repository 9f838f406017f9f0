// HelloMeme's face toolkit as one object, the project's second face analyser (beside pipeline/face's MediaPipe mesh):
// loads the three shipped face models from the models directory and wires them into detection, 222-point tracking,
// the static 512 crop (crop_and_resize) and 3DMM head pose. What HelloMeme draws from them lives in its engine.
import { existsSync } from 'node:fs';
import { MemeError } from '../../errors.ts';
import { createSession, type GraphSession, type HostTensor, type ProviderChoice } from '../../graph/runtime.ts';
import { FACE_REPO, filesForPreset } from '../../models/model-files.ts';
import { allModelFilesPresent, localPathOf } from '../../models/models-dir.ts';
import type { RgbImage } from '../types.ts';
import { type AlignedFace, type AlignSeed, alignFace, type LandmarkNet } from './alignment.ts';
import { type CroppedClip, cropClip512 } from './crop-512.ts';
import { type DetectorNet, detectFaces } from './face-detector.ts';
import { detectVideoLandmarks, HelloFaceTracker, type VideoLandmarks } from './face-tracking.ts';
import type { ScoredBox } from './gfl-decode.ts';
import { buildHeadPoseInput, HEAD_POSE_INPUT_SIZE, type HeadPose3dmm, parseHeadPose } from './head-pose-3dmm.ts';
import { LANDMARK_INPUT_SIZE, parseLandmarkOutputs } from './landmarks-222.ts';
import { DETECTOR_INPUT_HEIGHT, DETECTOR_INPUT_WIDTH } from './letterbox.ts';

const FACE_MODEL_FILES = Object.freeze({ detector: 'hello_face_det.onnx', landmarks: 'hello_face_landmark.onnx', headPose: 'hello_3dmm.onnx' });

interface FaceToolkitOptions {
  readonly provider?: ProviderChoice;
  /** intra-op threads per session; default lets ORT decide */
  readonly threads?: number;
}

export interface ClipAnalysis extends VideoLandmarks {
  crop: CroppedClip;
  poses: HeadPose3dmm[];
}

export interface HelloMemeFaceToolkit {
  detect(frame: RgbImage): Promise<ScoredBox[]>;
  align(frame: RgbImage, seed: AlignSeed): Promise<AlignedFace>;
  /** det_landmarks over a clip (or one image): smoothed 222 points per kept frame; NO_FACE when none */
  track(frames: readonly RgbImage[], signal?: AbortSignal): Promise<VideoLandmarks>;
  crop512(frames: readonly RgbImage[], landmarks: readonly ArrayLike<number>[], crop?: boolean): CroppedClip;
  headPose(crop: RgbImage, points: ArrayLike<number>): Promise<HeadPose3dmm>;
  /** track → crop512 → headPose per frame: everything the control signals need from a clip or the reference */
  analyse(frames: readonly RgbImage[], options?: { crop?: boolean; signal?: AbortSignal }): Promise<ClipAnalysis>;
  dispose(): Promise<void>;
}

/** Whether `memeloom models pull` has put the three face models under `modelsDir`. */
export function faceToolkitPresent(modelsDir: string): Promise<boolean> {
  return allModelFilesPresent(modelsDir, filesForPreset().filter((f) => f.repo === FACE_REPO));
}

/** What the renderer asks of the toolkit: the analysis of a clip or of one photo. */
export type FaceToolkitAnalyser = Pick<HelloMemeFaceToolkit, 'analyse' | 'dispose'>;

function modelPath(modelsDir: string, file: string): string {
  const path = localPathOf(modelsDir, { repo: FACE_REPO, path: file, role: 'face model' });
  if (!existsSync(path)) throw new MemeError('ENGINE_UNAVAILABLE', `HelloMeme face model ${file} is missing at ${path}; run \`memeloom models pull\``, { path });
  return path;
}

function floatData(t: HostTensor | undefined, what: string): Float32Array {
  if (t?.elem !== 'float32') throw new MemeError('BAD_WEIGHTS', `${what}: expected a float32 output, got ${t?.elem ?? 'nothing'}`);
  return t.data as Float32Array;
}

/** One input, outputs in the model's declared order. */
function netOf(session: GraphSession, dims: number[], what: string): (input: Float32Array) => Promise<Float32Array[]> {
  return async (input) => {
    const out = await session.run({ [session.inputNames[0]]: { elem: 'float32', dims, data: input } });
    return session.outputNames.map((name) => floatData(out[name], `${what} output '${name}'`));
  };
}

/** Opens the three face models under `modelsDir` (the layout `memeloom models pull` writes). */
export async function createHelloMemeFaceToolkit(modelsDir: string, options: FaceToolkitOptions = {}): Promise<HelloMemeFaceToolkit> {
  const paths = [FACE_MODEL_FILES.detector, FACE_MODEL_FILES.landmarks, FACE_MODEL_FILES.headPose].map((f) => modelPath(modelsDir, f));
  const sessions: GraphSession[] = [];
  try {
    for (const p of paths) sessions.push(await createSession(p, { provider: options.provider, threads: options.threads }));
  } catch (error) {
    await Promise.all(sessions.map((s) => s.dispose()));
    throw error;
  }
  const [detSession, lmkSession, poseSession] = sessions;
  const detector: DetectorNet = netOf(detSession, [1, 3, DETECTOR_INPUT_HEIGHT, DETECTOR_INPUT_WIDTH], 'face detector');
  const runLandmarks = netOf(lmkSession, [1, 3, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE], 'landmark model');
  const landmarkNet: LandmarkNet = async (input) => {
    const [landmark, euler, prob] = await runLandmarks(input);
    return parseLandmarkOutputs(landmark, euler, prob);
  };
  const runPose = netOf(poseSession, [1, 3, HEAD_POSE_INPUT_SIZE, HEAD_POSE_INPUT_SIZE], '3DMM model');
  const detect = (frame: RgbImage) => detectFaces(frame, detector);
  const tracker = new HelloFaceTracker(async (frame) => (await detect(frame)).map((d) => [...d.box]), landmarkNet);

  const toolkit: HelloMemeFaceToolkit = {
    detect,
    align: (frame, seed) => alignFace(frame, landmarkNet, seed),
    track: (frames, signal) => detectVideoLandmarks(frames, tracker, signal),
    crop512: (frames, landmarks, crop = true) => cropClip512(frames, landmarks, crop),
    async headPose(crop, points) {
      const input = buildHeadPoseInput(crop, points);
      const [coefficients] = await runPose(input.tensor);
      return parseHeadPose(coefficients, input, crop.width, crop.height);
    },
    async analyse(frames, opts = {}) {
      const landmarks = await toolkit.track(frames, opts.signal);
      const crop = cropClip512(
        landmarks.frameIndices.map((i) => frames[i]),
        landmarks.points,
        opts.crop ?? true,
      );
      const poses: HeadPose3dmm[] = [];
      for (const [i, frame] of crop.frames.entries()) poses.push(await toolkit.headPose(frame, crop.landmarks[i]));
      return { ...landmarks, crop, poses };
    },
    async dispose() {
      await Promise.all(sessions.map((s) => s.dispose()));
    },
  };
  return toolkit;
}

/**
 * The toolkit under `modelsDir`, its sessions opened by the first analysis (a renderer that never runs HelloMeme
 * never loads them) and kept until dispose; a failed open is retried by the next analysis.
 */
export function faceToolkitOnFirstUse(modelsDir: string, options: FaceToolkitOptions = {}): FaceToolkitAnalyser {
  let opened: Promise<HelloMemeFaceToolkit> | null = null;
  const open = () => {
    opened ??= createHelloMemeFaceToolkit(modelsDir, options).catch((error) => {
      opened = null;
      throw error;
    });
    return opened;
  };
  return {
    analyse: async (frames, analyseOptions) => (await open()).analyse(frames, analyseOptions),
    async dispose() {
      const pending = opened;
      opened = null;
      await (await pending?.catch(() => null))?.dispose();
    },
  };
}
