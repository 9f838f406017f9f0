// HelloMeme's own control signals (spec §4.1, cntrl2): the driver clip's frames through its face toolkit (222-point
// tracking, one static 512 crop, 3DMM pose) become pose-quad images placed by the reference photo's 3DMM translation,
// and PD-FGC expressions of the aligned faces. Falls back to the MotionTrack source, and says why, when it cannot.
import path from 'node:path';
import { isMemeError } from '../../../errors.ts';
import type { ProviderChoice } from '../../../graph/runtime.ts';
import { filesForPreset, type HubFile } from '../../../models/model-files.ts';
import { allModelFilesPresent, localPathOf } from '../../../models/models-dir.ts';
import { decodeVideo } from '../../media/video.ts';
import type { MotionTrack } from '../../motion/motion-track.ts';
import type { RgbImage } from '../../types.ts';
import type { EngineDriverClip } from '../engine.ts';
import { type ControlRequest, type ControlSource, createMotionTrackControlSource, EXPRESSION_DIM, type HelloMemeControls, poseTensor } from './control-signals.ts';
import { type ClipAnalysis, createHelloMemeFaceToolkit, FACE_MODEL_REPO, type HelloMemeFaceToolkit } from '../../face-toolkit/face-toolkit.ts';
import type { HeadPose3dmm } from '../../face-toolkit/head-pose-3dmm.ts';
import { drawPoseQuad, projectPoseQuad, retargetTranslation } from './pose-quad.ts';
import { gatherRows, nearestKeptFrame } from './kept-frames.ts';
import { buildPdFgcInput } from './pd-fgc-align.ts';
import { openPdFgcSession, type PdFgcSession } from './pd-fgc-session.ts';

export const FACE_TOOLKIT_SOURCE = 'face-toolkit';
export const PD_FGC_REPO = 'songkey/pd_fgc_motion';
/** Drivers are decoded at most this large: the toolkit drops faces under 96 px, so meme clips keep their resolution. */
export const DRIVER_MAX_SIDE = 1024;
/** Aligned faces held at once on the way to PD-FGC (each 3×224² floats, 0.6 MB). */
const FACES_PER_BATCH = 16;

export interface ToolkitControlSourceOptions {
  /** The models directory `memeloom models pull` fills (face models and songkey/pd_fgc_motion). */
  readonly modelsDir: string;
  /** Compiled-graph cache for the PD-FGC encoder. */
  readonly cacheDir?: string;
  readonly provider?: ProviderChoice;
  readonly threads?: number;
  /**
   * trans_ratio: how much of the driver's head translation moves the pose quad. 0, the app's default, keeps the quad
   * where the reference face sits; inference_video.py uses 0.5.
   */
  readonly transRatio?: number;
  readonly maxSide?: number;
}

/** The files this source needs: the three face ONNX models and the PD-FGC encoder folder. */
export function faceToolkitFiles(): HubFile[] {
  return filesForPreset().filter((f) => f.repo === FACE_MODEL_REPO || f.repo === PD_FGC_REPO);
}

export function faceToolkitPresent(modelsDir: string): Promise<boolean> {
  return allModelFilesPresent(modelsDir, faceToolkitFiles());
}

interface OpenModels {
  toolkit: HelloMemeFaceToolkit;
  pdFgc: PdFgcSession;
}

async function openModels(options: ToolkitControlSourceOptions): Promise<OpenModels> {
  const toolkit = await createHelloMemeFaceToolkit(options.modelsDir, { provider: options.provider, threads: options.threads });
  try {
    const folder = path.dirname(localPathOf(options.modelsDir, { repo: PD_FGC_REPO, path: 'config.json', role: 'PD-FGC expression encoder' }));
    return { toolkit, pdFgc: await openPdFgcSession(folder, { cacheDir: options.cacheDir, provider: options.provider, threads: options.threads }) };
  } catch (error) {
    await toolkit.dispose();
    throw error;
  }
}

/** The driver's frames at the motion track's rate and span; at most one per motion frame. */
async function decodeDriver(driver: EngineDriverClip, motion: MotionTrack, maxSide: number, signal?: AbortSignal): Promise<RgbImage[]> {
  const clip = await decodeVideo(driver.clipPath, {
    fps: motion.fps,
    maxSide,
    startSec: driver.startSec,
    endSec: driver.endSec,
    maxDurationSec: driver.maxDurationSec,
    maxFrames: motion.frameCount,
    signal,
  });
  return clip.frames.map((data) => ({ width: clip.width, height: clip.height, data }));
}

const isNoFace = (error: unknown) => isMemeError(error) && error.code === 'NO_FACE';

/** ref_trans: the reference photo's 3DMM translation in its own static 512 crop (spec §4.2), or null without a face. */
async function referenceTranslation(toolkit: HelloMemeFaceToolkit, photo: RgbImage, signal?: AbortSignal): Promise<readonly number[] | null> {
  try {
    return (await toolkit.analyse([photo], { signal })).poses[0].trans;
  } catch (error) {
    if (isNoFace(error)) return null;
    throw error;
  }
}

/** [F, 3, S, S]: kept frame pick[f]'s pose quad with T = refTrans + (trans_t − trans_0)·ratio (spec §4.1 step 5). */
function poseImagesFor(poses: readonly HeadPose3dmm[], pick: Int32Array, refTrans: readonly number[], transRatio: number, imageSize: number): Float32Array {
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

/** [kept, 548] PD-FGC expressions of every kept frame's aligned face. */
async function expressionsFor(models: OpenModels, analysis: ClipAnalysis, signal?: AbortSignal): Promise<Float32Array> {
  const { frames, landmarks } = analysis.crop;
  const out = new Float32Array(frames.length * EXPRESSION_DIM);
  for (let from = 0; from < frames.length; from += FACES_PER_BATCH) {
    const faces = frames.slice(from, from + FACES_PER_BATCH).map((crop, i) => buildPdFgcInput(crop, landmarks[from + i]).tensor);
    out.set(await models.pdFgc.encode(faces, signal), from * EXPRESSION_DIM);
  }
  return out;
}

/** The face-toolkit ControlSource; its models open on the first job and stay open until dispose. */
export function createToolkitControlSource(options: ToolkitControlSourceOptions): ControlSource {
  const fallback = createMotionTrackControlSource();
  const transRatio = options.transRatio ?? 0;
  let opened: Promise<OpenModels> | null = null;
  const open = () => {
    opened ??= openModels(options).catch((error) => {
      opened = null;
      throw error;
    });
    return opened;
  };
  const fallBack = async (motion: MotionTrack, imageSize: number, reason: string): Promise<HelloMemeControls> => ({ ...(await fallback.controls(motion, imageSize)), source: `motion-track (${reason})` });

  async function controls(motion: MotionTrack, imageSize: number, request: ControlRequest = {}): Promise<HelloMemeControls> {
    const { driver, reference, signal } = request;
    if (!driver || !reference) return fallBack(motion, imageSize, 'no driver clip given to the engine');
    const models = await open();
    const frames = await decodeDriver(driver, motion, options.maxSide ?? DRIVER_MAX_SIDE, signal);
    let analysis: ClipAnalysis;
    try {
      analysis = await models.toolkit.analyse(frames, { signal });
    } catch (error) {
      if (isNoFace(error)) return fallBack(motion, imageSize, 'the face toolkit found no face in the driver');
      throw error;
    }
    const notes: string[] = [];
    const dropped = frames.length - analysis.frameIndices.length;
    if (dropped > 0) notes.push(`${dropped} driver frame(s) without a face held from their neighbours`);
    let refTrans = await referenceTranslation(models.toolkit, reference.image, signal);
    if (!refTrans) {
      // Without the photo's own translation the quad sits where the driver's first face sits in its crop.
      refTrans = analysis.poses[0].trans;
      notes.push('no toolkit face in the photo, pose quad placed as in the driver');
    }
    const pick = nearestKeptFrame(analysis.frameIndices, motion.frameCount);
    const poseImages = poseImagesFor(analysis.poses, pick, refTrans, transRatio, imageSize);
    const expressions = gatherRows(await expressionsFor(models, analysis, signal), EXPRESSION_DIM, pick);
    const source = notes.length ? `${FACE_TOOLKIT_SOURCE} (${notes.join('; ')})` : FACE_TOOLKIT_SOURCE;
    return { frameCount: motion.frameCount, imageSize, poseImages, expressions, source };
  }

  return {
    name: FACE_TOOLKIT_SOURCE,
    controls,
    async dispose() {
      const pending = opened;
      opened = null;
      const models = await pending?.catch(() => null);
      if (models) await Promise.all([models.toolkit.dispose(), models.pdFgc.dispose()]);
    },
  };
}
