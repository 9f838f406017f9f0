// The cheap checks on what a user sent, run the moment it arrives and before anyone is asked to pick a
// template: a photo must decode within the byte and pixel limits and show a face; a clip must be a readable
// video within the byte limit, and one longer than the seconds limit is reported as trimmed (never refused).
// A photo's analysis goes into the renderer's PhotoCache, so the render that follows starts from it.
import type { InputLimits } from '../config.ts';
import type { FaceAnalyzer } from './face/face-analyzer.ts';
import { numberedFaces } from './face/face-choice.ts';
import { decodeImage, resizeToFit } from './media/image.ts';
import { measureClip } from './media/video.ts';
import { type AnalysedPhoto, PhotoCache } from './photo-cache.ts';
import type { StageTimer } from './stage-timer.ts';
import type { Box } from './types.ts';

/** The working size photos are analysed and animated at unless a render asks for another. */
export const DEFAULT_MAX_SIDE = 512;

export interface PhotoFacts {
  /** The photo as it will be animated (fitted to the working size). */
  width: number;
  height: number;
  /** The faces a person can choose, numbered from 1 in reading order (face-choice.ts), boxes in those pixels. */
  faces: Box[];
}

export interface ClipFacts {
  /** How long the clip plays (at most the limit + 1 s when the container does not say). */
  durationSec: number;
  /** Seconds that will be animated: the whole clip, or the first `limit` of a longer one. */
  usedSec: number;
  trimmed: boolean;
}

export interface InputInspector {
  /** Throws the InputError the user should see (NOT_AN_IMAGE, IMAGE_UNREADABLE, IMAGE_TOO_LARGE, NO_FACE...). */
  photo(bytes: Buffer): Promise<PhotoFacts>;
  /** Throws NOT_A_VIDEO, VIDEO_UNREADABLE or VIDEO_TOO_LARGE; a long clip is not an error (`trimmed`). */
  clip(path: string, signal?: AbortSignal): Promise<ClipFacts>;
}

interface PhotoAnalysisDeps {
  faces: FaceAnalyzer;
  photos: PhotoCache;
  limits: InputLimits;
}

/**
 * Decode within the limits, fit to `maxSide`, find the faces: what every render of a photo starts from,
 * cached per photo and size. `timer` (a render's) times the two stages; a cache hit times nothing.
 */
export function analysePhoto(deps: PhotoAnalysisDeps, photo: Buffer, maxSide: number, timer?: StageTimer): Promise<AnalysedPhoto> {
  const stage = <T>(name: 'decode' | 'face', work: () => Promise<T>) => (timer ? timer.stage(name, work) : work());
  return deps.photos.get(PhotoCache.keyOf(photo, maxSide), async () => {
    const limits = { maxBytes: deps.limits.maxPhotoBytes, maxPixels: deps.limits.maxPhotoPixels };
    const { source, image } = await stage('decode', async () => {
      const decoded = await decodeImage(photo, limits);
      return { source: decoded, image: await resizeToFit(decoded, maxSide) };
    });
    return { image, source, faces: await stage('face', () => deps.faces.analyzeAll(image)) };
  });
}

export function createInputInspector(deps: PhotoAnalysisDeps): InputInspector {
  return {
    async photo(bytes) {
      const { image, faces } = await analysePhoto(deps, bytes, DEFAULT_MAX_SIDE);
      return { width: image.width, height: image.height, faces: numberedFaces(faces).map((face) => ({ ...face.box })) };
    },
    async clip(path, signal) {
      const maxSeconds = deps.limits.maxDriverSeconds;
      const { durationSec } = await measureClip(path, { maxBytes: deps.limits.maxDriverBytes, maxSeconds }, signal);
      // A few hundredths over is container rounding, not a longer clip.
      const trimmed = durationSec > maxSeconds + 0.05;
      return { durationSec, usedSec: Math.min(durationSec, maxSeconds), trimmed };
    },
  };
}
