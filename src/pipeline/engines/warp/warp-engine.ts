// The embedded CPU engine: animates the photo by warping a triangle mesh over its face landmarks towards
// the retargeted driver landmarks, then paints mouth interior and closed lids. No models of its own.
import { MemeError, throwIfAborted } from '../../../errors.ts';
import { motionFrame } from '../../motion/motion-track.ts';
import { dampHeadTurn, photoFaceGeometry, type RetargetOptions, retargetLandmarks } from '../../motion/retarget.ts';
import type { FrameSequence } from '../../types.ts';
import type { Engine, EngineDriver, EngineReference, EngineRun } from '../engine.ts';
import { paintEyelids } from './eyelids.ts';
import { innerMouthArea, mouthInteriorOpacity, paintMouthInterior } from './mouth-interior.ts';
import { warpTriangles } from './rasterize-triangles.ts';
import { buildPhotoWarpMesh, destinationVertices } from './warp-mesh.ts';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Share of the driver's yaw and pitch the warp shows; more tears the far cheek away from the hair. */
const DEFAULT_TURN_SCALE = 0.6;

export interface WarpEngineOptions extends RetargetOptions {
  turnScale?: number;
  /** The landmark model's surface triangles (face analyzer's meshTriangles); Delaunay when absent. */
  faceTriangles?: ArrayLike<number>;
}

export function createWarpEngine(options: WarpEngineOptions = {}): Engine {
  return {
    name: 'warp',
    needs: { motionTrack: true },
    async render(reference: EngineReference, driver: EngineDriver, _options, run: EngineRun = {}): Promise<FrameSequence> {
      const { image, face } = reference;
      const motion = driver.motion;
      if (!motion) throw new MemeError('INTERNAL', 'the warp engine was given no motion track of the driver');
      const photo = photoFaceGeometry(face.landmarks);
      const mesh = buildPhotoWarpMesh(photo, image.width, image.height, options.faceTriangles);
      const sourceMouthArea = innerMouthArea(face.landmarks, 3);
      const dstXY = new Float32Array(mesh.vertexCount * 2);
      const dstDepth = new Float32Array(mesh.vertexCount);
      const zBuffer = new Float32Array(image.width * image.height);
      const target = new Float32Array(face.landmarks.length);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < motion.frameCount; i++) {
        throwIfAborted(run.signal);
        const frame = dampHeadTurn(motionFrame(motion, i), options.turnScale ?? DEFAULT_TURN_SCALE);
        retargetLandmarks(photo, frame, options, target);
        destinationVertices(mesh, photo, target, frame, dstXY, dstDepth);
        const out = Uint8Array.from(image.data);
        warpTriangles(image, out, zBuffer, mesh, dstXY, dstDepth);
        const mouthOpacity = mouthInteriorOpacity(sourceMouthArea, innerMouthArea(target, 3), photo.size);
        paintMouthInterior(out, image.width, image.height, target, mouthOpacity);
        paintEyelids(out, image, face.landmarks, target);
        frames.push(out);
        run.onFrame?.(out, i);
        run.onProgress?.({ stage: 'engine', fraction: (i + 1) / motion.frameCount, overall: 0 });
        if (i % 4 === 3) await yieldToEventLoop();
      }
      return { width: image.width, height: image.height, fps: motion.fps, frames };
    },
    async dispose() {},
  };
}
