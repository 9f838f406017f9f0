// The embedded CPU engine: animates the photo by warping its face, hair and neck over a still, inpainted
// background towards the retargeted driver landmarks, then paints the driver's own mouth interior and closed
// lids. Its only model is the person segmenter; the face landmarks come from the caller.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import { planTake } from '../../motion/take.ts';
import type { FrameSequence } from '../../types.ts';
import type { Engine, EngineDriver, EngineOptions, EngineReference, EngineRun } from '../engine.ts';
import { paintEyelids } from './eyelids.ts';
import { innerMouthArea, mouthInteriorOpacity, paintMouth, photoMouthCrops } from './mouth-transfer.ts';
import { type PersonSegmenter, sharedPersonSegmenter } from './person-segmenter.ts';
import { photoSetupSource } from './photo-setup.ts';
import { warpTriangles } from './rasterize-triangles.ts';
import { destinationVertices } from './warp-mesh.ts';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface WarpEngineOptions {
  /** The landmark model's surface triangles (face analyzer's meshTriangles); Delaunay when absent. */
  faceTriangles?: ArrayLike<number>;
  /** Tells person from background (default: the selfie model on the shared face runtime). */
  segmenter?: PersonSegmenter;
}

export function createWarpEngine(options: WarpEngineOptions = {}): Engine {
  const setupOf = photoSetupSource(options.segmenter ?? sharedPersonSegmenter(), options.faceTriangles);
  return {
    name: 'warp',
    needs: { motionTrack: true },
    async render(reference: EngineReference, driver: EngineDriver, engineOptions: EngineOptions, run: EngineRun = {}): Promise<FrameSequence> {
      const { image, face } = reference;
      const track = driver.motion;
      if (!track) throw new MemeError('INTERNAL', 'the warp engine was given no motion track of the driver');
      const { photo, mesh, layer, regions, skin } = await setupOf(image, face);
      // The motion side plans every frame (seeded variation, full-strength head motion kept in the picture).
      const take = planTake(photo, track, { width: image.width, height: image.height, fps: driver.fps, seed: engineOptions.seed });
      const mouths = track.mouths;
      const mouthCrops = mouths ? await photoMouthCrops(mouths, skin) : [];
      const sourceMouthArea = innerMouthArea(face.landmarks, 3);
      const dstXY = new Float32Array(mesh.vertexCount * 2);
      const dstDepth = new Float32Array(mesh.vertexCount);
      const zBuffer = new Float32Array(image.width * image.height);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < take.frames.length; i++) {
        throwIfAborted(run.signal);
        const target = take.targets[i];
        destinationVertices(mesh, photo.landmarks, target, dstXY, dstDepth);
        const out = Uint8Array.from(regions.plate);
        warpTriangles(image, out, zBuffer, mesh, dstXY, dstDepth, layer);
        const crop = mouthCrops[take.frames[i].mouthCrop];
        if (mouths && crop) {
          const opacity = mouthInteriorOpacity(sourceMouthArea, innerMouthArea(target, 3), photo.size);
          paintMouth(out, image.width, image.height, target, crop, mouths, opacity);
        }
        paintEyelids(out, image, face.landmarks, target);
        frames.push(out);
        run.onFrame?.(out, i);
        run.onProgress?.({ stage: 'engine', fraction: (i + 1) / take.frames.length, overall: 0 });
        if (i % 4 === 3) await yieldToEventLoop();
      }
      return { width: image.width, height: image.height, fps: driver.fps, frames };
    },
    async dispose() {},
  };
}
