// Regenerates assets/templates/<id>/preview.gif from each template's clip and trim range: 128 px wide,
// 8 fps, 48 colours, small enough for a gallery page. Run: npx tsx scripts/make-template-previews.ts
import { loadTemplateCatalog } from '../src/templates/catalog.ts';
import { runFfmpeg } from '../src/pipeline/media/ffmpeg.ts';

const PREVIEW_FILTER =
  'fps=8,scale=128:-2:flags=lanczos,split[a][b];[a]palettegen=max_colors=48:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle';

const catalog = await loadTemplateCatalog();
for (const t of catalog.list()) {
  const seconds = (t.trim.endSec - t.trim.startSec).toFixed(2);
  await runFfmpeg(['-v', 'error', '-y', '-ss', String(t.trim.startSec), '-t', seconds, '-i', t.clipPath, '-vf', PREVIEW_FILTER, '-loop', '0', t.previewPath], { stdoutToBuffer: false });
  console.log(`${t.id}: ${t.previewPath}`);
}
