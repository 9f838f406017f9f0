// FaceAnalyzer: faces, 478-point landmarks, head pose and identity descriptors for photos and clips,
// on human + tfjs wasm (offline). Owns pass selection and call serialisation; not model loading or math.
import PQueue from 'p-queue';
import { InputError, MemeError } from '../../errors.ts';
import type { Face, FrameSequence, RgbImage } from '../types.ts';
import { assertRgbImage, buildDetectionInput, type PassOptions } from './detection-input.ts';
import { byLargestBox, MESH_POINT_COUNT, toFace } from './face-convert.ts';
import { bestMatch, normalizeDescriptor } from './face-match.ts';
import { type TrackOptions, trackFrames } from './face-tracker.ts';
import { type SceneObject, verdictFromObjects, verdictFromScores } from './human-check.ts';
import { type Config, callConfig, type FaceResult, type HumanRuntime, loadHumanRuntime, runHuman, runObjects } from './human-runtime.ts';


interface FaceAnalyzerOptions {
  /** Most faces detect() returns (default 12: a group photo must show when it has more than the six animated). */
  maxFaces?: number;
}

export interface FaceAnalyzer {
  /** All human faces (human-check.ts: not animals, not objects), largest box first; empty when there is none. */
  detect(image: RgbImage): Promise<Face[]>;
  /** The largest human face; throws InputError NO_FACE when there is none. */
  analyze(image: RgbImage): Promise<Face>;
  /** All human faces, largest first; throws InputError NO_FACE when there is none. */
  analyzeAll(image: RgbImage): Promise<Face[]>;
  /** Unit-length identity descriptor (1024 floats) of `face` in `image`; compare with cosineSimilarity. */
  describe(image: RgbImage, face: Face): Promise<Float32Array>;
  /** One Face (or null) per frame, landmarks smoothed with One-Euro. */
  trackSequence(frames: FrameSequence, options?: TrackOptions): Promise<(Face | null)[]>;
  /** Milliseconds the backend and models took to load (shared by all analyzers in the process). */
  readonly loadMs: number;
  /** MediaPipe's face-mesh surface triangles over landmarks 0..467 (iris points excluded), 3 indices each. */
  readonly meshTriangles: Uint32Array;
  /** Per landmark (478), its mirror image across the face's midline (itself on the midline). */
  readonly meshMirror: Uint32Array;
  /** Waits for queued calls, then rejects new ones; the shared models stay loaded for other analyzers. */
  dispose(): Promise<void>;
}

/**
 * Detection passes, tried in order until one finds a face. A margin comes first: when a face fills the
 * frame, BlazeFace's box is off and the mesh lands in the wrong place (on tight crops of the 20 reference
 * faces, unpadded input put 13 of 15 meshes over 10% of the face width off; a 30% margin, none of 19).
 * Unpadded input then catches faces too small to survive the margin; 60% helps the tightest crops.
 */
const STILL_PASSES: readonly PassOptions[] = [{ padFraction: 0.3 }, { padFraction: 0 }, { padFraction: 0.6 }];
/**
 * A first pass whose faces suggest a group (several, or a face under this share of the picture's shorter side)
 * is completed by the unpadded pass: the margin shrinks small faces below what BlazeFace finds.
 */
const GROUP_FACE_SHARE = 0.3;
/** A face that is not the most confident one must clear this detector score (drops background false alarms). */
const SECONDARY_MIN_SCORE = 0.5;

// human keeps models and its frame cache in module globals, so every analyzer in the process shares
// one runtime and one queue: two interleaved detect() calls would corrupt each other's cache.
let runtimePromise: Promise<HumanRuntime> | null = null;
const inferenceQueue = new PQueue({ concurrency: 1 });

function sharedRuntime(): Promise<HumanRuntime> {
  runtimePromise ??= loadHumanRuntime().catch((error: unknown) => {
    runtimePromise = null;
    if (error instanceof MemeError) throw error;
    throw new MemeError('ENGINE_UNAVAILABLE', `face models failed to load: ${String(error)}`);
  });
  return runtimePromise;
}

/**
 * Runs `task` on the shared tfjs runtime, in turn with the face calls: other tfjs models (the warp engine's
 * person segmenter) share the backend and must not interleave with human's cached frame state.
 */
export async function onSharedRuntime<T>(task: (runtime: HumanRuntime) => Promise<T> | T): Promise<T> {
  const runtime = await sharedRuntime();
  return inferenceQueue.add(async () => task(runtime)) as Promise<T>;
}

interface DetectedFace {
  face: Face;
  result: FaceResult;
}

function keepPlausible(found: DetectedFace[]): DetectedFace[] {
  const bestScore = Math.max(...found.map((d) => d.face.score));
  return found.filter(({ face: f }) => f.box.width > 0 && f.box.height > 0 && (f.score >= SECONDARY_MIN_SCORE || f.score === bestScore));
}

/** COCO objects in the whole photo, boxes in the photo's pixels. */
async function sceneObjects(runtime: HumanRuntime, image: RgbImage): Promise<SceneObject[]> {
  const input = buildDetectionInput(runtime.tf, image, { padFraction: 0 });
  try {
    const { scale, offsetX, offsetY } = input.map;
    return (await runObjects(runtime, input.tensor)).map((o) => ({
      label: o.label,
      score: o.score,
      box: { x: o.box[0] * scale + offsetX, y: o.box[1] * scale + offsetY, width: o.box[2] * scale, height: o.box[3] * scale },
    }));
  } finally {
    runtime.tf.dispose(input.tensor);
  }
}

/** The human faces among `found` (human-check.ts); the object detector runs only when a face is unsure. */
async function keepHuman(runtime: HumanRuntime, image: RgbImage, found: DetectedFace[]): Promise<DetectedFace[]> {
  const verdicts = found.map((d) => verdictFromScores({ box: d.result.boxScore, mesh: d.result.faceScore }));
  const objects = verdicts.includes('needs-objects') ? await sceneObjects(runtime, image) : [];
  return found.filter((d, i) => verdicts[i] === 'human' || (verdicts[i] === 'needs-objects' && verdictFromObjects(d.face.box, objects) === 'human'));
}

/** Runs the still-image passes until `accept` takes one's faces (each with human's raw result). */
async function detectStill(
  runtime: HumanRuntime,
  image: RgbImage,
  config: Partial<Config>,
  accept: (found: DetectedFace[]) => boolean,
  passes: readonly PassOptions[] = STILL_PASSES,
): Promise<DetectedFace[]> {
  assertRgbImage(image);
  for (const pass of passes) {
    const input = buildDetectionInput(runtime.tf, image, pass);
    try {
      const results = await runHuman(runtime, input.tensor, config);
      const found = results
        .map((result) => ({ face: toFace(result, input.width, input.map), result }))
        .filter((d): d is DetectedFace => d.face !== null);
      if (accept(found)) return found;
    } finally {
      runtime.tf.dispose(input.tensor);
    }
  }
  return [];
}

/** human ships MediaPipe's canonical face-mesh triangulation on each instance. */
function meshTrianglesOf(runtime: HumanRuntime): Uint32Array {
  const triangles = runtime.human.faceTriangulation;
  if (!triangles || triangles.length % 3 !== 0) throw new MemeError('INTERNAL', 'the face model has no mesh triangulation');
  return Uint32Array.from(triangles);
}

/**
 * The mesh's left-right partners, from human's canonical UV map (symmetric about u = 0.5): each point's partner is
 * the point nearest its mirrored UV. The two irises (468–472, 473–477) mirror each other.
 */
function meshMirrorOf(runtime: HumanRuntime): Uint32Array {
  const uv = runtime.human.faceUVMap as [number, number][] | undefined;
  if (uv?.length !== 468) throw new MemeError('INTERNAL', 'the face model has no UV map');
  const mirror = new Uint32Array(MESH_POINT_COUNT);
  uv.forEach(([u, v], j) => {
    let best = j;
    let bestDistance = Number.POSITIVE_INFINITY;
    uv.forEach(([u2, v2], k) => {
      const d = (1 - u - u2) ** 2 + (v - v2) ** 2;
      if (d < bestDistance) [best, bestDistance] = [k, d];
    });
    mirror[j] = best;
  });
  for (let k = 0; k < 5; k++) [mirror[468 + k], mirror[473 + k]] = [473 + k, 468 + k];
  return mirror;
}

export async function createFaceAnalyzer(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const maxFaces = options.maxFaces ?? 12;
  if (!Number.isInteger(maxFaces) || maxFaces < 1) throw new InputError('BAD_OPTION', `maxFaces must be a positive integer, got ${maxFaces}`);
  const runtime = await sharedRuntime();
  let disposed = false;

  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    if (disposed) return Promise.reject(new MemeError('ENGINE_UNAVAILABLE', 'the face analyzer was disposed'));
    return inferenceQueue.add(task) as Promise<T>;
  };

  async function detect(image: RgbImage): Promise<Face[]> {
    const config = callConfig('still', maxFaces);
    let passes = 0;
    const found = await detectStill(runtime, image, config, (candidates) => {
      passes++;
      return candidates.length > 0;
    });
    if (found.length === 0) return [];
    const smallest = Math.min(...found.map((d) => d.face.box.height));
    if (passes === 1 && (found.length > 1 || smallest < GROUP_FACE_SHARE * Math.min(image.width, image.height))) {
      const more = await detectStill(runtime, image, config, () => true, [{ padFraction: 0 }]);
      found.push(...more.filter((d) => !bestMatch(d.face.box, found)).slice(0, maxFaces - found.length));
    }
    return (await keepHuman(runtime, image, keepPlausible(found))).map((d) => d.face).sort(byLargestBox);
  }

  async function analyzeAll(image: RgbImage): Promise<Face[]> {
    const faces = await detect(image);
    if (faces.length === 0) throw new InputError('NO_FACE', 'no human face found in the photo', { width: image.width, height: image.height });
    return faces;
  }

  async function describe(image: RgbImage, face: Face): Promise<Float32Array> {
    const hasDescribedMatch = (found: DetectedFace[]) => (bestMatch(face.box, found)?.result.embedding?.length ?? 0) > 0;
    const match = bestMatch(face.box, await detectStill(runtime, image, callConfig('describe', maxFaces), hasDescribedMatch));
    if (match?.result.embedding && match.result.embedding.length > 0) return normalizeDescriptor(match.result.embedding);
    throw new InputError('NO_FACE', 'the given face was not found again in the photo', { box: face.box });
  }

  return {
    loadMs: runtime.loadMs,
    meshTriangles: meshTrianglesOf(runtime),
    meshMirror: meshMirrorOf(runtime),
    detect: (image) => serial(() => detect(image)),
    analyze: (image) => serial(async () => (await analyzeAll(image))[0]),
    analyzeAll: (image) => serial(() => analyzeAll(image)),
    describe: (image, face) => serial(() => describe(image, face)),
    trackSequence: (frames, trackOptions) => serial(() => trackFrames(runtime, frames, trackOptions)),
    async dispose() {
      disposed = true;
      await inferenceQueue.onIdle();
    },
  };
}
