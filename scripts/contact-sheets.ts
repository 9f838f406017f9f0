// Contact sheets to look at what the warp engine makes: per template one PNG, the template's frames on top and
// each photo's result below (every 6th frame, 8 across). Run:
//   npx tsx scripts/contact-sheets.ts --out /tmp/sheets [--templates a,b] [--photos x.jpg,y.png] [--seed N]
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_PHOTOS, FIXTURE_PHOTO_DIR } from '../src/cli/fixture-photos.ts';
import { createWarpEngine } from '../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer } from '../src/pipeline/face/face-analyzer.ts';
import { decodeImage, resizeToFit } from '../src/pipeline/media/image.ts';
import { decodeVideo } from '../src/pipeline/media/video.ts';
import { loadDriverMotion, templateDriverClip } from '../src/pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../src/pipeline/motion/motion-cache.ts';
import { defaultCacheDir } from '../src/pipeline/render.ts';
import type { FrameSequence } from '../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';

const CELL = 160;
const ACROSS = 8;
const EVERY = 6;

const { values } = parseArgs({ options: { out: { type: 'string', default: 'sheets' }, templates: { type: 'string' }, photos: { type: 'string' }, seed: { type: 'string', default: '0' } } });

async function strip(clip: FrameSequence): Promise<Buffer> {
  const picks = clip.frames.filter((_, i) => i % EVERY === 0).slice(0, ACROSS);
  const cells = await Promise.all(picks.map((f) => sharp(Buffer.from(f), { raw: { width: clip.width, height: clip.height, channels: 3 } }).resize(CELL, CELL, { fit: 'contain', background: '#000' }).png().toBuffer()));
  return sharp({ create: { width: CELL * ACROSS, height: CELL, channels: 3, background: '#000' } }).composite(cells.map((input, i) => ({ input, left: i * CELL, top: 0 }))).png().toBuffer();
}

const catalog = await loadTemplateCatalog();
const templates = values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list();
const faces = await createFaceAnalyzer();
const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
const cache = createMotionCache(path.join(defaultCacheDir(), 'motion'));
await mkdir(values.out, { recursive: true });
try {
  const photos = [];
  for (const name of values.photos ? values.photos.split(',') : DEFAULT_PHOTOS) {
    const image = await resizeToFit(await decodeImage(await readFile(path.isAbsolute(name) ? name : path.join(FIXTURE_PHOTO_DIR, name))), 512);
    photos.push({ image, face: await faces.analyze(image) });
  }
  for (const template of templates) {
    const clip = templateDriverClip(template);
    const rows = [await strip(await decodeVideo(clip.path, { fps: clip.fps, maxSide: 512, startSec: clip.startSec, endSec: clip.endSec }))];
    const motion = await loadDriverMotion(clip, { faces, cache });
    for (const photo of photos) rows.push(await strip(await engine.render(photo, motion, { fps: clip.fps, seed: Number(values.seed) })));
    const file = path.join(values.out, `${template.id}-seed${values.seed}.png`);
    await sharp({ create: { width: CELL * ACROSS, height: CELL * rows.length, channels: 3, background: '#000' } })
      .composite(rows.map((input, i) => ({ input, left: 0, top: i * CELL })))
      .png()
      .toFile(file);
    console.log(file);
  }
} finally {
  await faces.dispose();
}
