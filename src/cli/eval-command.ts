// `memeloom eval` (npm run eval): the warp engine's quality over fixture photos × templates (or any photos and
// clips): how closely the output follows its driver, identity, framing and border, side by side with the
// saved baseline of the previous engine. Both driver and output are read by the same face analyzer.
import { memeloomCacheDir } from '../cache-dir.ts';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWarpEngine } from '../pipeline/engines/warp/warp-engine.ts';
import { MIN_ANGLE_RANGE_DEG, MIN_MOUTH_RANGE, scoreTake, type TrackedClip } from '../pipeline/eval/take-scores.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../pipeline/face/face-analyzer.ts';
import { cosineSimilarity } from '../pipeline/face/face-match.ts';
import { decodeImage, resizeToFit } from '../pipeline/media/image.ts';
import { decodeVideo } from '../pipeline/media/video.ts';
import { type DriverClip, loadDriverMotion, templateDriverClip } from '../pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../pipeline/motion/motion-cache.ts';
import { photoFaceGeometry } from '../pipeline/motion/retarget.ts';
import { planTake } from '../pipeline/motion/take.ts';
import { DEFAULT_INPUT_LIMITS } from '../config.ts';
import { DEFAULT_MAX_SIDE } from '../pipeline/input-inspector.ts';
import type { Face, RgbImage } from '../pipeline/types.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import { type EvalBaseline, type EvalRow, rowsTable, templatesTable, totalsTable } from './eval-report.ts';
import { DEFAULT_PHOTOS, FIXTURE_PHOTO_DIR } from './fixture-photos.ts';

const BASELINE = fileURLToPath(new URL('../../bench/baselines/eval-warp.json', import.meta.url));
const CLIP_FPS = 12;

const USAGE = `usage: memeloom eval [options]
  --photos A,B|all    photo files in --photo-dir (default: ${DEFAULT_PHOTOS.join(',')})
  --photo-dir DIR     where the photos are (default: the repository's HelloMeme fixture photos)
  --grey A,B          photos also animated in black and white (default: ${DEFAULT_PHOTOS[0]}; "none" for none)
  --templates X,Y     template ids (default: all)
  --clips A,B         driving clips (files) instead of templates, as a user would send them
  --every N           describe every N-th frame for identity (default 4)
  --seed N            the take's seed (default 0, the faithful take)
  --save-baseline     write these figures to bench/baselines/eval-warp.json
  --label TEXT        the engine's name in a saved baseline (default "warp")`;

interface Photo {
  name: string;
  image: RgbImage;
  face: Face;
  descriptor: Float32Array;
}

interface Driver extends TrackedClip {
  name: string;
  clip: DriverClip;
}

function toGrey(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let o = 0; o < data.length; o += 3) {
    const y = Math.round(0.299 * image.data[o] + 0.587 * image.data[o + 1] + 0.114 * image.data[o + 2]);
    data[o] = data[o + 1] = data[o + 2] = y;
  }
  return { ...image, data };
}

async function loadPhoto(faces: FaceAnalyzer, name: string, image: RgbImage): Promise<Photo> {
  const face = await faces.analyze(image);
  return { name, image, face, descriptor: await faces.describe(image, face) };
}

/** The driver's own frames and faces, as the analyzer reads them. */
async function loadDriver(faces: FaceAnalyzer, name: string, clip: DriverClip): Promise<Driver> {
  const frames = await decodeVideo(clip.path, { fps: clip.fps, maxSide: DEFAULT_MAX_SIDE, startSec: clip.startSec, endSec: clip.endSec, maxDurationSec: clip.maxDurationSec, maxFrames: clip.maxFrames });
  return { name, clip, frames, faces: await faces.trackSequence(frames) };
}

async function evaluate(faces: FaceAnalyzer, photo: Photo, driver: Driver, every: number, seed: number): Promise<EvalRow> {
  const motion = await loadDriverMotion(driver.clip, { faces, cache: createMotionCache(memeloomCacheDir('motion')) });
  const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
  const out = await engine.render({ image: photo.image, face: photo.face, source: photo.image }, { fps: motion.fps, frameCount: motion.frameCount, motion }, { seed });
  const output = await faces.trackSequence(out);
  const identities: number[] = [];
  for (let i = 0; i < out.frames.length; i += every) {
    const found = output[i];
    if (!found) continue;
    const image = { width: out.width, height: out.height, data: out.frames[i] };
    identities.push(cosineSimilarity(photo.descriptor, await faces.describe(image, found).catch(() => new Float32Array(photo.descriptor.length))));
  }
  const planned = planTake(photoFaceGeometry(photo.face.landmarks), motion, { width: out.width, height: out.height, fps: driver.clip.fps, seed }).targets;
  const scores = scoreTake({ photo, driver, output: { frames: out, faces: output }, identities, planned });
  return { photo: photo.name, template: driver.name, scores };
}

async function photoNames(values: { photos?: string; 'photo-dir': string }): Promise<string[]> {
  if (values.photos === 'all') return (await readdir(values['photo-dir'])).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
  return values.photos ? values.photos.split(',') : DEFAULT_PHOTOS;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      photos: { type: 'string' }, 'photo-dir': { type: 'string', default: FIXTURE_PHOTO_DIR }, grey: { type: 'string' }, templates: { type: 'string' },
      clips: { type: 'string' }, every: { type: 'string', default: '4' }, seed: { type: 'string', default: '0' }, 'save-baseline': { type: 'boolean' },
      label: { type: 'string', default: 'warp' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const names = await photoNames(values);
  const grey = values.grey === 'none' ? [] : values.grey ? values.grey.split(',') : [names[0]];
  const faces = await createFaceAnalyzer();
  const rows: EvalRow[] = [];
  try {
    const photos: Photo[] = [];
    for (const name of names) {
      const image = await resizeToFit(await decodeImage(await readFile(path.join(values['photo-dir'], name))), DEFAULT_MAX_SIDE);
      photos.push(await loadPhoto(faces, name, image));
      if (grey.includes(name)) photos.push(await loadPhoto(faces, `${name} (grey)`, toGrey(image)));
    }
    // Drivers one at a time: each holds its decoded frames while the photos are scored against it.
    const clips: [string, DriverClip][] = [];
    if (values.clips) {
      for (const file of values.clips.split(',')) clips.push([path.basename(file), { path: file, fps: CLIP_FPS, maxDurationSec: DEFAULT_INPUT_LIMITS.maxDriverSeconds, maxFrames: CLIP_FPS * DEFAULT_INPUT_LIMITS.maxDriverSeconds }]);
    } else {
      const catalog = await loadTemplateCatalog();
      const templates = values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list();
      for (const t of templates) clips.push([t.id, templateDriverClip(t)]);
    }
    for (const [name, clip] of clips) {
      const driver = await loadDriver(faces, name, clip);
      for (const photo of photos) {
        rows.push(await evaluate(faces, photo, driver, Number(values.every), Number(values.seed)));
        process.stderr.write(`  ${photo.name} × ${driver.name}\n`);
      }
    }
  } finally {
    await faces.dispose();
  }
  const baseline: EvalBaseline | null = existsSync(BASELINE) ? JSON.parse(await readFile(BASELINE, 'utf8'), (_k, v) => (v === null ? Number.NaN : v)) : null;
  process.stdout.write(`eval: ${rows.length} takes (${((performance.now() - started) / 1000).toFixed(0)} s), seed ${values.seed}\n\n${rowsTable(rows)}\n\n`);
  process.stdout.write(`${templatesTable(rows, baseline?.rows ?? null)}\n\n${totalsTable(rows, baseline)}\n`);
  process.stdout.write('r: Pearson correlation with the driver (left out where the driver hardly moves); APD in degrees; amp: output range / driver range;\n');
  process.stdout.write(`r and amp are left out ('-') where the driver's 5–95% range is below ${MIN_ANGLE_RANGE_DEG}° (angles) or ${MIN_MOUTH_RANGE} face sizes (mouth): about 10× the analyzer's frame-to-frame jitter;\n`);
  process.stdout.write('id: face-descriptor cosine to the photo; inside: share of frames with the whole face in the picture; border: mean change of the edge band (0..255);\n');
  process.stdout.write('grey chroma: colour in the face of black-and-white photos (0 = grey).\n');
  if (values['save-baseline']) {
    await mkdir(path.dirname(BASELINE), { recursive: true });
    await writeFile(BASELINE, `${JSON.stringify({ engine: values.label, rows } satisfies EvalBaseline, null, 1)}\n`);
    process.stdout.write(`baseline saved to ${path.relative(process.cwd(), BASELINE)}\n`);
  }
  return 0;
}
