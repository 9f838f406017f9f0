// `memeloom bench` (npm run bench): per-stage timings of the whole render for every template on fixture
// photos, medians per template, side by side with a saved baseline. Prints figures; asserts nothing.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRenderer } from '../pipeline/render.ts';
import type { OutputFormat, StageName } from '../pipeline/types.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import { formatTable, median } from './table.ts';
import { measureCliWallTimes } from './cli-wall-times.ts';
import { DEFAULT_PHOTOS, FIXTURE_PHOTO_DIR } from './fixture-photos.ts';

const STAGES: StageName[] = ['decode', 'face', 'motion', 'engine', 'captions', 'encode'];
const BASELINE = fileURLToPath(new URL('../../bench/baselines/render-bench.json', import.meta.url));
const CLI_BASELINE = fileURLToPath(new URL('../../bench/baselines/cli-wall.json', import.meta.url));
const EXAMPLE_PHOTO = fileURLToPath(new URL('../../assets/example-photo.png', import.meta.url));
/** The README's main command renders this template; the bar for its cold run on a fresh HOME. */
const README_TEMPLATE = 'nice';
const COLD_TARGET_MS = 2500;

type Medians = Record<string, Record<string, number>>;

const USAGE = `usage: memeloom bench [options]
  --photos A,B        photo files in --photo-dir (default: ${DEFAULT_PHOTOS.join(',')})
  --photo-dir DIR     where the photos are (default: the repository's HelloMeme fixture photos)
  --templates X,Y     template ids (default: all)
  --format gif|mp4    output format (default gif)
  --no-cli            skip the README command's cold/warm wall times (a child process with a fresh HOME)
  --save-baseline     write these medians to bench/baselines/render-bench.json and cli-wall.json`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      photos: { type: 'string' }, templates: { type: 'string' }, format: { type: 'string', default: 'gif' },
      'save-baseline': { type: 'boolean' }, 'no-cli': { type: 'boolean' }, 'photo-dir': { type: 'string', default: FIXTURE_PHOTO_DIR }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const photos = values.photos ? values.photos.split(',') : DEFAULT_PHOTOS;
  const catalog = await loadTemplateCatalog();
  const templates = values.templates ? values.templates.split(',').map((id) => catalog.get(id)) : catalog.list();
  // Every render timed from the photo's bytes: no decode or face analysis reused from an earlier one.
  const renderer = await createRenderer({ templates: catalog, photoCacheEntries: 0 });
  const photoBytes = await Promise.all(photos.map((p) => readFile(path.join(values['photo-dir'], p))));
  const medians: Medians = {};
  try {
    for (const template of templates) {
      // The first request of a template: its motion comes from the track it ships (nothing analysed); timed on its own.
      const first = await renderer.render({ photo: photoBytes[0], templateId: template.id, format: values.format as OutputFormat });
      const runs: Record<string, number[]> = Object.fromEntries([...STAGES, 'total', 'kb'].map((k) => [k, []]));
      for (const photo of photoBytes) {
        const started = performance.now();
        const result = await renderer.render({ photo, templateId: template.id, format: values.format as OutputFormat, captions: template.defaultCaption });
        runs.total.push(performance.now() - started);
        runs.kb.push(result.bytes.length / 1024);
        for (const stage of STAGES) runs[stage].push(result.stageMs[stage] ?? 0);
      }
      medians[template.id] = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
      medians[template.id].firstMotion = first.stageMs.motion ?? 0;
      process.stderr.write(`  ${template.id}: ${(medians[template.id].total / 1000).toFixed(2)} s\n`);
    }
  } finally {
    await renderer.dispose();
  }
  const baseline: Medians | null = existsSync(BASELINE) ? JSON.parse(await readFile(BASELINE, 'utf8')) : null;
  const rows = Object.entries(medians).map(([id, m]) => {
    const base = baseline?.[id]?.total;
    return [id, ...STAGES.map((s) => m[s].toFixed(0)), m.total.toFixed(0), base ? base.toFixed(0) : '-', base ? (base / m.total).toFixed(2) : '-', m.kb.toFixed(0), m.firstMotion.toFixed(0)];
  });
  process.stdout.write(`render bench: ${photos.length} photos × ${templates.length} templates, ${values.format}, medians in ms\n`);
  process.stdout.write(`${formatTable(['template', ...STAGES, 'total', 'baseline', 'speedup', 'KB', 'motion 1st'], rows)}\n`);
  const cli = values['no-cli'] ? null : await reportCliWallTimes();
  if (values['save-baseline']) {
    await mkdir(path.dirname(BASELINE), { recursive: true });
    await writeFile(BASELINE, `${JSON.stringify(medians, null, 2)}\n`);
    if (cli) await writeFile(CLI_BASELINE, `${JSON.stringify(cli, null, 2)}\n`);
    process.stdout.write(`baseline saved to ${path.relative(process.cwd(), BASELINE)}\n`);
  }
  return 0;
}

/** The README's main command from a fresh HOME, then warm, beside the saved baseline and the 2.5 s bar. */
async function reportCliWallTimes(): Promise<{ coldMs: number; warmMs: number }> {
  const times = measureCliWallTimes(EXAMPLE_PHOTO, README_TEMPLATE);
  const base = existsSync(CLI_BASELINE) ? (JSON.parse(await readFile(CLI_BASELINE, 'utf8')) as typeof times) : null;
  const row = (label: string, ms: number, baseMs?: number) => [label, (ms / 1000).toFixed(2), baseMs ? (baseMs / 1000).toFixed(2) : '-', baseMs ? (baseMs / ms).toFixed(2) : '-'];
  process.stdout.write(`\nCLI wall time of \`memeloom render --template ${README_TEMPLATE}\` (README's first command), s\n`);
  process.stdout.write(`${formatTable(['run', 'wall', 'baseline', 'speedup'], [row('cold (fresh HOME)', times.coldMs, base?.coldMs), row('warm', times.warmMs, base?.warmMs)])}\n`);
  const verdict = times.coldMs <= COLD_TARGET_MS ? 'within' : 'OVER';
  process.stdout.write(`cold run ${verdict} the ${(COLD_TARGET_MS / 1000).toFixed(1)} s bar\n`);
  return times;
}
