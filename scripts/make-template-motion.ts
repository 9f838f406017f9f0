// Analyses each built-in template's clip and ships the result beside it (assets/templates/<id>/motion.track),
// so no template is analysed at its first request. Compact tracks (track-codec.ts), tagged with the analysis
// key (clip bytes + settings + MOTION_TRACK_VERSION): after a change to the analyser, bump the version and
// run this again; the loader ignores tracks of another version and tests/unit/templates flag them.
// Run: npm run templates:motion [-- id id ...]
import { writeFile } from 'node:fs/promises';
import { createFaceAnalyzer } from '../src/pipeline/face/face-analyzer.ts';
import { ANALYSIS_MAX_SIDE, analyseDriverMotion, decodeDriver, driverMotionKey, templateDriverClip } from '../src/pipeline/motion/driver-motion.ts';
import { encodeMotionTrack } from '../src/pipeline/motion/track-codec.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';

const catalog = await loadTemplateCatalog();
const wanted = process.argv.slice(2);
const faces = await createFaceAnalyzer();
let total = 0;
try {
  for (const template of wanted.length ? wanted.map((id) => catalog.get(id)) : catalog.list()) {
    const clip = templateDriverClip(template);
    if (!clip.shippedTrackPath) throw new Error(`${template.id} has no motion path`);
    const bytes = encodeMotionTrack(await analyseDriverMotion(await decodeDriver(clip, ANALYSIS_MAX_SIDE), faces), { compact: true, key: await driverMotionKey(clip) });
    await writeFile(clip.shippedTrackPath, bytes);
    total += bytes.length;
    console.log(`${template.id}: ${(bytes.length / 1024).toFixed(0)} KB`);
  }
} finally {
  await faces.dispose();
}
console.log(`total: ${(total / 1024).toFixed(0)} KB`);
