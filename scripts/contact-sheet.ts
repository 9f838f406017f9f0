// Contact sheets for looking at the warp engine by eye: for each template × photo one PNG, the template's
// frames above and the result below (every 8th frame, 256 px wide, 6 across). A grayscale copy of a photo is
// made with --gray NAME. Run: npx tsx scripts/contact-sheet.ts --photos toon.png,show4.jpg --out /tmp/sheets
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FIXTURE_PHOTO_DIR } from '../src/cli/fixture-photos.ts';
import { createWarpEngine } from '../src/pipeline/engines/warp/warp-engine.ts';
import { createFaceAnalyzer } from '../src/pipeline/face/face-analyzer.ts';
import { runFfmpeg } from '../src/pipeline/media/ffmpeg.ts';
import { decodeImage, resizeToFit } from '../src/pipeline/media/image.ts';
import { decodeVideo } from '../src/pipeline/media/video.ts';
import { loadDriverMotion } from '../src/pipeline/motion/driver-motion.ts';
import { createMotionCache } from '../src/pipeline/motion/motion-cache.ts';
import { defaultCacheDir } from '../src/pipeline/render.ts';
import type { RgbImage } from '../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: 'toon.png,show4.jpg,BeautyFool.jpg,trump.jpg' },
    gray: { type: 'string', default: 'harris.jpg' },
    templates: { type: 'string' },
    out: { type: 'string', default: path.join(tmpdir(), 'memeloom-sheets') },
  },
});

function grayscale(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) {
    const y = Math.round(0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2]);
    data[p] = data[p + 1] = data[p + 2] = y;
  }
  return { ...image, data };
}

/** Raw frames → one row of 6 tiles, each 256 px wide. */
async function row(frames: Uint8Array[], width: number, height: number, file: string): Promise<void> {
  const raw = `${file}.rgb`;
  await writeFile(raw, Buffer.concat(frames));
  await runFfmpeg(['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', raw, '-vf', "select='not(mod(n\\,8))',scale=256:-1,tile=6x1", '-frames:v', '1', file], { stdoutToBuffer: false });
  await rm(raw);
}

const catalog = await loadTemplateCatalog();
const templates = values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list();
const faces = await createFaceAnalyzer();
const cache = createMotionCache(path.join(defaultCacheDir(), 'motion'));
const engine = createWarpEngine({ faceTriangles: faces.meshTriangles });
await mkdir(values.out, { recursive: true });
const photos: [string, RgbImage][] = [];
for (const name of values.photos.split(',').filter(Boolean)) {
  photos.push([path.parse(name).name, await resizeToFit(await decodeImage(await readFile(path.join(FIXTURE_PHOTO_DIR, name))), 512)]);
}
for (const name of values.gray.split(',').filter(Boolean)) {
  photos.push([`${path.parse(name).name}-gray`, grayscale(await resizeToFit(await decodeImage(await readFile(path.join(FIXTURE_PHOTO_DIR, name))), 512))]);
}
try {
  for (const template of templates) {
    const clip = { path: template.clipPath, fps: template.fps, startSec: template.trim.startSec, endSec: template.trim.endSec };
    const motion = await loadDriverMotion(clip, { faces, cache });
    const driver = await decodeVideo(template.clipPath, { fps: template.fps, maxSide: 512, startSec: clip.startSec, endSec: clip.endSec });
    const top = path.join(values.out, `${template.id}.top.png`);
    await row(driver.frames, driver.width, driver.height, top);
    for (const [name, image] of photos) {
      const face = await faces.analyze(image);
      const result = await engine.render({ image, face }, motion, { fps: template.fps });
      const bottom = path.join(values.out, `${template.id}-${name}.bottom.png`);
      await row(result.frames, result.width, result.height, bottom);
      const sheet = path.join(values.out, `${template.id}-${name}.png`);
      await runFfmpeg(['-v', 'error', '-y', '-i', top, '-i', bottom, '-filter_complex', '[0:v][1:v]vstack=inputs=2', sheet], { stdoutToBuffer: false });
      await rm(bottom);
      console.log(sheet);
    }
    await rm(top);
  }
} finally {
  await engine.dispose();
  await faces.dispose();
}
