// The embedded CPU engine: animates the photo by warping its face, hair and neck over a still, inpainted
// background towards the retargeted driver landmarks, then paints the driver's own mouth interior and closed
// lids. In a group photo each chosen face does all of this with its own take, on its own layer, in turn.
// Its only model is the person segmenter; the face landmarks come from the caller.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import type { MotionTrack } from '../../motion/motion-track.ts';
import { planTake, type Take } from '../../motion/take.ts';
import type { FrameSequence } from '../../types.ts';
import type { Engine, EngineDriver, EngineOptions, EngineReference, EngineRun } from '../engine.ts';
import { paintEyelids } from './eyelids.ts';
import { innerMouthArea, mouthInteriorOpacity, paintMouth, photoMouthCrops } from './mouth-transfer.ts';
import { type PersonSegmenter, sharedPersonSegmenter } from './person-segmenter.ts';
import { type FaceSetup, photoSetupSource } from './photo-setup.ts';
import { warpTriangles } from './rasterize-triangles.ts';
import { destinationVertices } from './warp-mesh.ts';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface WarpEngineOptions {
  /** The landmark model's surface triangles (face analyzer's meshTriangles); Delaunay when absent. */
  faceTriangles?: ArrayLike<number>;
  /** Tells person from background (default: the selfie model on the shared face runtime). */
  segmenter?: PersonSegmenter;
}

/** A take played from `offset` frames later, wrapping round: the loop's frames, another face's phase. */
function startLater(take: Take, offset: number): Take {
  const count = take.frames.length;
  const shift = ((offset % count) + count) % count;
  if (shift === 0) return take;
  const rotate = <T>(items: T[]) => [...items.slice(shift), ...items.slice(0, shift)];
  return { frames: rotate(take.frames), targets: rotate(take.targets) };
}

/** Everything one face needs each frame: its setup, its take and its buffers. */
async function facePlan(setup: FaceSetup, track: MotionTrack, take: Take) {
  const { mesh } = setup;
  return {
    setup,
    take,
    mouthCrops: track.mouths ? await photoMouthCrops(track.mouths, setup.skin) : [],
    sourceMouthArea: innerMouthArea(setup.face.landmarks, 3),
    dstXY: new Float32Array(mesh.vertexCount * 2),
    dstDepth: new Float32Array(mesh.vertexCount),
  };
}

export function createWarpEngine(options: WarpEngineOptions = {}): Engine {
  const setupOf = photoSetupSource(options.segmenter ?? sharedPersonSegmenter(), options.faceTriangles);
  return {
    name: 'warp',
    needs: { motionTrack: true },
    multiFace: true,
    async render(reference: EngineReference, driver: EngineDriver, engineOptions: EngineOptions, run: EngineRun = {}): Promise<FrameSequence> {
      const { image } = reference;
      const track = driver.motion;
      if (!track) throw new MemeError('INTERNAL', 'the warp engine was given no motion track of the driver');
      const group = reference.group ?? { animated: [reference.face], offsetsSec: [0], still: [] };
      const { faces, plate } = await setupOf(image, group.animated, group.still);
      const { width, height } = image;
      // Each face plans its own take on its own geometry (the motion side bounds it in the picture), started
      // at its offset; faces are drawn in the group's order, each over the ones before it.
      const plans = await Promise.all(
        faces.map((setup, f) => {
          const take = planTake(setup.photo, track, { width, height, fps: driver.fps, seed: engineOptions.seed });
          return facePlan(setup, track, startLater(take, Math.round((group.offsetsSec[f] ?? 0) * driver.fps)));
        }),
      );
      const mouths = track.mouths;
      const frameCount = plans[0].take.frames.length;
      const zBuffer = new Float32Array(width * height);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < frameCount; i++) {
        throwIfAborted(run.signal);
        const out = Uint8Array.from(plate);
        for (const { setup, take, mouthCrops, sourceMouthArea, dstXY, dstDepth } of plans) {
          const { face, photo, mesh, layer } = setup;
          const target = take.targets[i];
          destinationVertices(mesh, photo.landmarks, target, dstXY, dstDepth);
          warpTriangles(image, out, zBuffer, mesh, dstXY, dstDepth, layer);
          const crop = mouthCrops[take.frames[i].mouthCrop];
          if (mouths && crop) {
            const opacity = mouthInteriorOpacity(sourceMouthArea, innerMouthArea(target, 3), photo.size);
            paintMouth(out, width, height, target, crop, mouths, opacity);
          }
          paintEyelids(out, image, face.landmarks, target);
        }
        frames.push(out);
        run.onFrame?.(out, i);
        run.onProgress?.({ stage: 'engine', fraction: (i + 1) / frameCount, overall: 0 });
        if (i % 4 === 3) await yieldToEventLoop();
      }
      return { width, height, fps: driver.fps, frames };
    },
    async dispose() {},
  };
}
