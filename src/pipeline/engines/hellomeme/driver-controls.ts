// The driver's control signals for one job (spec §4.1, cntrl2): from the face toolkit's analysis of the driver, the
// 3DMM pose quads placed by the photo's translation and PD-FGC expressions of the aligned faces, each output frame
// taking its nearest kept frame; from the MediaPipe motion track where that analysis is missing.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import type { ClipAnalysis } from '../../face-toolkit/face-toolkit.ts';
import type { EngineDriver } from '../engine.ts';
import { EXPRESSION_DIM, type HelloMemeControls, motionTrackControls, toolkitPoseImages } from './control-signals.ts';
import { gatherRows, nearestKeptFrame } from './kept-frames.ts';
import { buildPdFgcInput, PD_FGC_SIZE } from './pd-fgc-align.ts';
import type { HelloMemeSessions } from './session-set.ts';
import { f32Tensor, floatsOf } from './video-tensors.ts';

/** Faces per encoder call: enough to amortise the call, small enough that CPU activations stay in the tens of MB. */
const FACES_PER_CALL = 4;

/** [kept, 548] PD-FGC expressions of every kept frame's aligned 224² face. */
async function expressionsOf(s: HelloMemeSessions, analysis: ClipAnalysis, signal?: AbortSignal): Promise<Float32Array> {
  const { frames, landmarks } = analysis.crop;
  const out = new Float32Array(frames.length * EXPRESSION_DIM);
  for (let from = 0; from < frames.length; from += FACES_PER_CALL) {
    throwIfAborted(signal);
    const batch = frames.slice(from, from + FACES_PER_CALL).map((crop, i) => buildPdFgcInput(crop, landmarks[from + i]).tensor);
    const input = new Float32Array(batch.length * batch[0].length);
    batch.forEach((face, i) => void input.set(face, i * face.length));
    const result = await (await s.session('pd-fgc')).run({ image: f32Tensor([batch.length, 3, PD_FGC_SIZE, PD_FGC_SIZE], input) });
    out.set(floatsOf(result.pd_fpg), from * EXPRESSION_DIM);
  }
  return out;
}

interface ControlPlacement {
  /** ref_trans: the photo's 3DMM translation, or null where the toolkit found no face in the photo. */
  readonly refTrans: readonly number[] | null;
  /** trans_ratio: how much of the driver's head translation the quad follows (0 keeps it where the photo's face is). */
  readonly transRatio: number;
}

/** The controls for every frame of `driver`, with the notes lastRun reports in `source`. */
export async function driverControls(s: HelloMemeSessions, driver: EngineDriver, placement: ControlPlacement, imageSize: number, signal?: AbortSignal): Promise<HelloMemeControls> {
  const analysis = driver.toolkit;
  if (!analysis) {
    if (!driver.motion) throw new MemeError('INTERNAL', 'the hellomeme engine was given neither a toolkit analysis nor a motion track of the driver');
    return motionTrackControls(driver.motion, imageSize, driver.toolkitMissing ?? 'no toolkit analysis of the driver');
  }
  const notes: string[] = [];
  const dropped = driver.frameCount - analysis.frameIndices.length;
  if (dropped > 0) notes.push(`${dropped} driver frame(s) without a face held from their neighbours`);
  // Without the photo's own translation the quad sits where the driver's first face sits in its crop.
  if (!placement.refTrans) notes.push('no toolkit face in the photo, pose quad placed as in the driver');
  const pick = nearestKeptFrame(analysis.frameIndices, driver.frameCount);
  const poseImages = toolkitPoseImages(analysis.poses, pick, placement.refTrans ?? analysis.poses[0].trans, placement.transRatio, imageSize);
  let expressions: Float32Array;
  if (s.has('pd-fgc')) {
    expressions = gatherRows(await expressionsOf(s, analysis, signal), EXPRESSION_DIM, pick);
  } else {
    expressions = new Float32Array(driver.frameCount * EXPRESSION_DIM);
    notes.push('no PD-FGC encoder, expressions left at zero');
  }
  const source = notes.length ? `face-toolkit (${notes.join('; ')})` : 'face-toolkit';
  return { frameCount: driver.frameCount, imageSize, poseImages, expressions, source };
}
