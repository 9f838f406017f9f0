// `memeloom eval` (npm run eval): APD, AED and identity for each engine over fixture photos × templates.
// A "still" row (the photo, unmoved) is the floor every engine should beat on APD and AED.
import { memeloomCacheDir } from '../cache-dir.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Engine } from '../pipeline/engines/engine.ts';
import { createWarpEngine } from '../pipeline/engines/warp/warp-engine.ts';
import { cosineSimilarity, expressionDistance, poseDistance, relativeExpression, targetPose } from '../pipeline/eval/quality-metrics.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../pipeline/face/face-analyzer.ts';
import { decodeImage, resizeToFit } from '../pipeline/media/image.ts';
import { loadDriverMotion } from '../pipeline/motion/driver-motion.ts';
import { resampleMotion } from '../pipeline/motion/extract-motion.ts';
import { createMotionCache } from '../pipeline/motion/motion-cache.ts';
import type { MotionTrack } from '../pipeline/motion/motion-track.ts';
import { DEFAULT_MAX_SIDE } from '../pipeline/input-inspector.ts';
import type { Face, FrameSequence, RgbImage } from '../pipeline/types.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import { formatTable, mean } from './table.ts';
import { DEFAULT_PHOTOS, FIXTURE_PHOTO_DIR } from './fixture-photos.ts';

const USAGE = `usage: memeloom eval [options]
  --photos A,B        photo files in --photo-dir (default: ${DEFAULT_PHOTOS.join(',')})
  --photo-dir DIR     where the photos are (default: the repository's HelloMeme fixture photos)
  --templates X,Y     template ids (default: the first four)
  --every N           score every N-th frame (default 3)`;
const EVAL_FPS = 12;

interface Scores {
  apd: number[];
  aed: number[];
  identity: number[];
  missed: number;
}

/** The photo repeated: no motion at all. */
const stillEngine: Engine = {
  name: 'warp',
  needs: { motionTrack: true },
  async render(reference, driver) {
    const frames = Array.from({ length: driver.frameCount }, () => reference.image.data);
    return { width: reference.image.width, height: reference.image.height, fps: driver.fps, frames };
  },
  async dispose() {},
};

async function scoreFrames(faces: FaceAnalyzer, photo: { image: RgbImage; face: Face; descriptor: Float32Array }, motion: MotionTrack, frames: FrameSequence, every: number, scores: Scores): Promise<void> {
  const first = { yaw: motion.poses[0], pitch: motion.poses[1], roll: motion.poses[2] };
  const n = motion.landmarkCount * 3;
  for (let i = 0; i < frames.frames.length; i += every) {
    const image = { width: frames.width, height: frames.height, data: frames.frames[i] };
    const found = (await faces.detect(image))[0];
    if (!found) {
      scores.missed++;
      continue;
    }
    const driverNow = { yaw: motion.poses[i * 3], pitch: motion.poses[i * 3 + 1], roll: motion.poses[i * 3 + 2] };
    scores.apd.push(poseDistance(found.pose, targetPose(photo.face.pose, first, driverNow)));
    scores.aed.push(expressionDistance(relativeExpression(photo.face.landmarks, found.landmarks), motion.expressions.subarray(i * n, i * n + n)));
    scores.identity.push(cosineSimilarity(photo.descriptor, await faces.describe(image, found)));
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      photos: { type: 'string' }, templates: { type: 'string' }, every: { type: 'string', default: '3' }, 'photo-dir': { type: 'string', default: FIXTURE_PHOTO_DIR },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const photos = values.photos ? values.photos.split(',') : DEFAULT_PHOTOS;
  const catalog = await loadTemplateCatalog();
  const templates = values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list().slice(0, 4);
  const faces = await createFaceAnalyzer();
  const cache = createMotionCache(memeloomCacheDir('motion'));
  const engines: [string, Engine][] = [['still (no motion)', stillEngine], ['warp', createWarpEngine({ faceTriangles: faces.meshTriangles })]];
  const totals = new Map(engines.map(([label]) => [label, { apd: [], aed: [], identity: [], missed: 0 } as Scores]));
  try {
    for (const file of photos) {
      const image = await resizeToFit(await decodeImage(await readFile(path.join(values['photo-dir'], file))), DEFAULT_MAX_SIDE);
      const face = await faces.analyze(image);
      const photo = { image, face, descriptor: await faces.describe(image, face) };
      for (const template of templates) {
        const track = await loadDriverMotion({ path: template.clipPath, fps: template.fps, startSec: template.trim.startSec, endSec: template.trim.endSec }, { faces, cache });
        const motion = resampleMotion(track, EVAL_FPS);
        for (const [label, engine] of engines) {
          const frames = await engine.render({ image, face, source: image }, { fps: motion.fps, frameCount: motion.frameCount, motion }, {});
          await scoreFrames(faces, photo, motion, frames, Number(values.every), totals.get(label)!);
        }
        process.stderr.write(`  ${file} × ${template.id}\n`);
      }
    }
  } finally {
    await faces.dispose();
  }
  const rows = [...totals].map(([label, s]) => [label, mean(s.apd).toFixed(2), mean(s.aed).toFixed(4), mean(s.identity).toFixed(3), String(s.apd.length), String(s.missed)]);
  process.stdout.write(`eval: ${photos.length} photos × ${templates.length} templates, 1 frame in ${values.every}\n`);
  process.stdout.write(`${formatTable(['engine', 'APD (deg)', 'AED', 'identity', 'frames', 'no face'], rows)}\n`);
  process.stdout.write('APD/AED: lower is better (distance to the retargeted driver); identity: higher is better (cosine to the photo).\n');
  return 0;
}
