// `memeloom render`: one meme from the command line. Checks files before any model loads, so a typo costs
// milliseconds, then prints a one-line summary with the time each stage took.
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, MemeError } from '../errors.ts';
import type { MemeResult, MemeSpec } from '../pipeline/meme-spec.ts';
import { createRenderer } from '../pipeline/render.ts';
import type { OutputFormat } from '../pipeline/types.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import { createProgressBar } from './progress-bar.ts';

/** Photos above this are refused before they are read (the decoder re-checks pixels). */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;
const FORMATS: OutputFormat[] = ['gif', 'mp4', 'webm'];

const USAGE = `usage: memeloom render --photo FILE (--template ID | --driver CLIP) [options]
  --caption-top TEXT      text at the top (default: the template's caption)
  --caption-bottom TEXT   text at the bottom
  --no-caption            no caption at all
  --format gif|mp4|webm   output format (default: from --out's extension, else gif)
  --max-bytes N           byte budget for the result (default 8 MiB for GIF)
  --fps N                 frame rate (default: the template's)
  --max-side N            longest side in pixels (default 512)
  --engine auto|warp|hellomeme
  --seed N                seed for engines with randomness
  --no-upscale            hellomeme: skip the Real-ESRGAN ×2 pass on its 512 px face (on by default, as in HelloMeme)
  --out FILE              where to write (default: <photo>-<template>.<format>)`;

async function requireReadable(file: string, what: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    return info.size;
  } catch {
    throw new InputError('FILE_NOT_FOUND', `${what} not found: ${file}`);
  }
}

async function requireWritableTarget(file: string): Promise<void> {
  try {
    await access(path.dirname(path.resolve(file)), constants.W_OK);
  } catch {
    throw new MemeError('OUTPUT_UNWRITABLE', `cannot write to ${file}`);
  }
}

function parseNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError('BAD_OPTION', `--${name} must be a positive number`);
  return n;
}

function summary(out: string, result: MemeResult, wallMs: number): string {
  const stages = Object.entries(result.stageMs)
    .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(2)}s`)
    .join(', ');
  const kb = (result.bytes.length / 1024).toFixed(0);
  return `wrote ${out}: ${result.frameCount} frames @ ${result.fps} fps, ${result.width}x${result.height}, ${kb} KB, engine ${result.engine}, ${(wallMs / 1000).toFixed(2)}s (${stages})`;
}

/**
 * --format, else the extension of --out (`--out meme.mp4` means MP4), else GIF. A format that contradicts
 * the extension is refused rather than writing, say, GIF bytes into meme.mp4.
 */
function outputFormat(flag: string | undefined, out: string | undefined): OutputFormat {
  const ext = out ? path.extname(out).slice(1).toLowerCase() : '';
  const fromOut = FORMATS.includes(ext as OutputFormat) ? (ext as OutputFormat) : undefined;
  const format = (flag ?? fromOut ?? 'gif') as OutputFormat;
  if (!FORMATS.includes(format)) throw new InputError('UNSUPPORTED_FORMAT', `--format must be one of ${FORMATS.join(', ')}`);
  if (flag && fromOut && fromOut !== format) throw new InputError('BAD_OPTION', `--format ${format} does not match --out ${out} (a .${fromOut} file)`);
  return format;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      photo: { type: 'string' }, template: { type: 'string' }, driver: { type: 'string' },
      'caption-top': { type: 'string' }, 'caption-bottom': { type: 'string' }, 'no-caption': { type: 'boolean' },
      format: { type: 'string' }, 'max-bytes': { type: 'string' }, fps: { type: 'string' },
      'max-side': { type: 'string' }, engine: { type: 'string', default: 'auto' }, seed: { type: 'string' },
      out: { type: 'string' }, 'no-upscale': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.photo || (!values.template && !values.driver)) throw new InputError('BAD_OPTION', `--photo and --template or --driver are required\n${USAGE}`);
  const format = outputFormat(values.format, values.out);
  const engine = values.engine as MemeSpec['engine'];
  if (!['auto', 'warp', 'hellomeme'].includes(String(engine))) throw new InputError('BAD_OPTION', '--engine must be auto, warp or hellomeme');

  const photoBytes = await requireReadable(values.photo, 'photo');
  if (photoBytes > MAX_PHOTO_BYTES) throw new InputError('IMAGE_TOO_LARGE', `the photo is ${(photoBytes / 2 ** 20).toFixed(1)} MB; the limit is 20 MB`);
  if (values.driver) await requireReadable(values.driver, 'driving clip');
  const templates = await loadTemplateCatalog();
  const template = values.template ? templates.get(values.template) : undefined;
  const stem = `${path.parse(values.photo).name}-${template?.id ?? path.parse(values.driver ?? 'clip').name}`;
  const out = values.out ?? `${stem}.${format}`;
  await requireWritableTarget(out);

  const explicit = values['caption-top'] !== undefined || values['caption-bottom'] !== undefined;
  const captions = values['no-caption'] ? {} : explicit ? { top: values['caption-top'], bottom: values['caption-bottom'] } : (template?.defaultCaption ?? {});
  const spec: MemeSpec = {
    photo: await readFile(values.photo),
    templateId: template?.id,
    driverPath: values.driver,
    captions,
    format,
    maxBytes: parseNumber(values['max-bytes'], 'max-bytes'),
    fps: parseNumber(values.fps, 'fps'),
    maxSide: parseNumber(values['max-side'], 'max-side'),
    engine,
    seed: parseNumber(values.seed, 'seed'),
  };
  const started = performance.now();
  const renderer = await createRenderer({ templates, upscale: values['no-upscale'] ? false : undefined });
  const bar = createProgressBar();
  try {
    const result = await renderer.render(spec, { onProgress: bar.update });
    bar.done();
    try {
      await writeFile(out, result.bytes);
    } catch {
      throw new MemeError('OUTPUT_UNWRITABLE', `cannot write to ${out}`);
    }
    process.stdout.write(`${summary(out, result, performance.now() - started)}\n`);
    if (engine === 'auto' && renderer.autoChoice) process.stdout.write(`engine chosen automatically: ${renderer.autoChoice.reason}\n`);
    return 0;
  } finally {
    bar.done();
    await renderer.dispose();
  }
}
