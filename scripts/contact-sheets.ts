// Contact sheets to look at what the warp engine makes: per driver one PNG, the driver's frames on top and
// each photo's result below (every 6th frame, 8 across). Drivers are the built-in templates and, with --driver,
// a clip of your own; --gray adds a black-and-white copy of the photos named. Run:
//   npx tsx scripts/contact-sheets.ts --out /tmp/sheets [--templates a,b] [--photos x.jpg,/abs/y.png] [--gray harris.jpg]
//     [--driver clip.mp4 [--trim 0:4]] [--seed N]
import { memeloomCacheDir } from '../src/cache-dir.ts';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_PHOTOS, FIXTURE_PHOTO_DIR } from '../src/cli/fixture-photos.ts';
import { createWarpEngine } from '../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer } from '../src/pipeline/face/face-analyzer.ts';
import { decodeImage, resizeToFit } from '../src/pipeline/media/image.ts';
import { decodeVideo } from '../src/pipeline/media/video.ts';
import { type DriverClip, loadDriverMotion, templateDriverClip } from '../src/pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../src/pipeline/motion/motion-cache.ts';
import type { FrameSequence, RgbImage } from '../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';

const CELL = 160;
const ACROSS = 8;
const EVERY = 6;

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'sheets' },
    templates: { type: 'string' },
    photos: { type: 'string' },
    gray: { type: 'string', default: '' },
    driver: { type: 'string' },
    trim: { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});

async function strip(clip: FrameSequence): Promise<Buffer> {
  const picks = clip.frames.filter((_, i) => i % EVERY === 0).slice(0, ACROSS);
  const cells = await Promise.all(picks.map((f) => sharp(Buffer.from(f), { raw: { width: clip.width, height: clip.height, channels: 3 } }).resize(CELL, CELL, { fit: 'contain', background: '#000' }).png().toBuffer()));
  return sharp({ create: { width: CELL * ACROSS, height: CELL, channels: 3, background: '#000' } }).composite(cells.map((input, i) => ({ input, left: i * CELL, top: 0 }))).png().toBuffer();
}

function grayscale(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) data.fill(Math.round(0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2]), p, p + 3);
  return { ...image, data };
}

const loadPhoto = async (name: string) => resizeToFit(await decodeImage(await readFile(path.isAbsolute(name) ? name : path.join(FIXTURE_PHOTO_DIR, name))), 512);

const catalog = await loadTemplateCatalog();
const drivers: [string, DriverClip][] = [];
if (values.driver) {
  const [startSec, endSec] = (values.trim ?? '0:10').split(':').map(Number);
  drivers.push([path.parse(values.driver).name, { path: values.driver, fps: 12, startSec, endSec }]);
}
if (values.templates || !values.driver) {
  for (const template of values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list()) drivers.push([template.id, templateDriverClip(template)]);
}
const faces = await createFaceAnalyzer();
const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
const cache = createMotionCache(memeloomCacheDir('motion'));
await mkdir(values.out, { recursive: true });
try {
  const photos = [];
  for (const name of values.photos ? values.photos.split(',') : DEFAULT_PHOTOS) photos.push(await loadPhoto(name));
  for (const name of values.gray.split(',').filter(Boolean)) photos.push(grayscale(await loadPhoto(name)));
  const analysed = [];
  for (const image of photos) analysed.push({ image, face: await faces.analyze(image) });
  for (const [id, clip] of drivers) {
    const rows = [await strip(await decodeVideo(clip.path, { fps: clip.fps, maxSide: 512, startSec: clip.startSec, endSec: clip.endSec }))];
    const motion = await loadDriverMotion(clip, { faces, cache });
    for (const photo of analysed) rows.push(await strip(await engine.render({ ...photo, source: photo.image }, { fps: motion.fps, frameCount: motion.frameCount, motion }, { seed: Number(values.seed) })));
    const file = path.join(values.out, `${id}-seed${values.seed}.png`);
    await sharp({ create: { width: CELL * ACROSS, height: CELL * rows.length, channels: 3, background: '#000' } })
      .composite(rows.map((input, i) => ({ input, left: 0, top: i * CELL })))
      .png()
      .toFile(file);
    console.log(file);
  }
} finally {
  await engine.dispose();
  await faces.dispose();
}
