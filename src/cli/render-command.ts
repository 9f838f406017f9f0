// `memeloom render`: one meme from the command line. Checks files before any model loads, so a typo costs
// milliseconds, then prints a one-line summary with the time each stage took.
import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkCaptionLength } from '../bots/input-checks.ts';
import { localeFor } from '../bots/messages.ts';
import type { InputLimits } from '../config.ts';
import { telegramOutput } from '../bots/telegram/telegram-config.ts';
import { InputError, MemeError } from '../errors.ts';
import { STYLE_PRESETS, stylePreset } from '../models/model-files.ts';
import { DEVICE_CHOICES, type DeviceChoice } from '../pipeline/engines/auto-engine.ts';
import { parseFaceChoice } from '../pipeline/face/face-choice.ts';
import type { MemeResult, MemeSpec, Renderer } from '../pipeline/meme-spec.ts';
import { createRenderer } from '../pipeline/render.ts';
import type { OutputFormat } from '../pipeline/types.ts';
import { loadTemplateCatalog } from '../templates/catalog.ts';
import { captionsFor } from '../templates/default-captions.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { createProgressBar } from './progress-bar.ts';

const FORMATS: OutputFormat[] = ['gif', 'mp4', 'webm'];

const USAGE = `usage: memeloom render --photo FILE (--template ID | --driver CLIP) [options]
  --caption-top TEXT      text at the top (default: the template's caption)
  --caption-bottom TEXT   text at the bottom
  --no-caption            no caption at all (not even the template's)
  --trim START:END        seconds of --driver to use, e.g. 2.5:8 (default: from the start; at most
                          MEMELOOM_MAX_DRIVER_SECONDS, 10 s by default: longer clips are trimmed to it)
  --format gif|mp4|webm   output format (default: from --out's extension, else gif)
  --max-bytes N           byte budget for the result (default 8 MiB for GIF)
  --fps N                 frame rate (default: the template's)
  --max-side N            longest side in pixels (default 512)
  --engine auto|warp|hellomeme
  --device auto|cpu|cuda|webgpu  where hellomeme runs (default MEMELOOM_DEVICE, else auto: CUDA, then WebGPU, whichever really runs)
  --seed N                seed for engines with randomness
  --prompt TEXT           hellomeme: words put before HelloMeme's own prompt
  --trans-ratio R         hellomeme: how much of the driver's head translation to follow, 0-1 (default 0)
  --style NAME            hellomeme: a LoRA style (${STYLE_PRESETS.map((s) => s.id).join(', ')}; memeloom models pull --style NAME)
  --face all|largest|N    which faces of a group photo move (default all: up to the 6 largest, each with its
                          own take of the motion; faces under 40 px stay still). N is a face's number in
                          reading order: left to right, then top to bottom (rows of faces). hellomeme animates
                          one face: with all, the largest
  --face-offset S         seconds between neighbouring faces' starts in the clip (default 0.25; 0: in lockstep)
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

/** `--face-offset 0.4`: seconds, 0 allowed (the faces move in lockstep). */
function parseOffset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InputError('BAD_OPTION', `--face-offset must be 0 or more seconds, got '${value}'`);
  return n;
}

/** `--trim 2.5:8` → { startSec: 2.5, endSec: 8 }; either side may be empty (`:6`, `3:`). */
function parseTrim(value: string | undefined): MemeSpec['driverTrim'] {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)?\s*:\s*(\d+(?:\.\d+)?)?\s*$/.exec(value);
  if (!match || (match[1] === undefined && match[2] === undefined)) throw new InputError('BAD_OPTION', `--trim must be START:END in seconds, e.g. 2.5:8, got '${value}'`);
  const startSec = match[1] === undefined ? 0 : Number(match[1]);
  const endSec = match[2] === undefined ? undefined : Number(match[2]);
  if (endSec !== undefined && !(endSec > startSec)) throw new InputError('BAD_OPTION', `--trim ${value}: the end must come after the start`);
  return { startSec, endSec };
}

/** Tells on stderr which seconds of a clip are used when the limit cuts it (the render trims, never refuses). */
async function noteTrim(renderer: Renderer, driver: string, trim: MemeSpec['driverTrim'], limits: InputLimits): Promise<void> {
  if (!renderer.inspector) return;
  const { durationSec } = await renderer.inspector.clip(driver);
  const start = trim?.startSec ?? 0;
  const wanted = (trim?.endSec ?? durationSec) - start;
  if (wanted <= limits.maxDriverSeconds + 0.05 || start >= durationSec) return;
  const end = start + limits.maxDriverSeconds;
  process.stderr.write(
    `note: using ${start}–${end} s of the clip (${durationSec.toFixed(1)} s long): clips are limited to ${limits.maxDriverSeconds} s (MEMELOOM_MAX_DRIVER_SECONDS); --trim START:END picks another span\n`,
  );
}

function parseRatio(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InputError('BAD_OPTION', `--${name} must be a number from 0 to 1`);
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
      'max-side': { type: 'string' }, engine: { type: 'string', default: 'auto' }, device: { type: 'string' }, seed: { type: 'string' },
      face: { type: 'string' }, 'face-offset': { type: 'string' },
      trim: { type: 'string' }, out: { type: 'string' }, 'no-upscale': { type: 'boolean' }, prompt: { type: 'string' }, 'trans-ratio': { type: 'string' },
      style: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.photo || (!values.template && !values.driver)) throw new InputError('BAD_OPTION', `--photo and --template or --driver are required\n${USAGE}`);
  const config = loadCliConfig('render');
  if (!config) return 2;
  const { limits } = config;
  const format = outputFormat(values.format, values.out);
  const driverTrim = parseTrim(values.trim);
  if (driverTrim && !values.driver) throw new InputError('BAD_OPTION', '--trim applies to a --driver clip');
  const engine = values.engine as MemeSpec['engine'];
  if (!['auto', 'warp', 'hellomeme'].includes(String(engine))) throw new InputError('BAD_OPTION', '--engine must be auto, warp or hellomeme');
  const device = (values.device ?? config.device) as DeviceChoice;
  if (!DEVICE_CHOICES.includes(device)) throw new InputError('BAD_OPTION', `--device must be ${DEVICE_CHOICES.join(', ')}`);

  const photoBytes = await requireReadable(values.photo, 'photo');
  if (photoBytes > limits.maxPhotoBytes) {
    const size = localeFor().bytes;
    throw new InputError('IMAGE_TOO_LARGE', `the photo is ${size(photoBytes)}; the limit is ${size(limits.maxPhotoBytes)} (MEMELOOM_MAX_PHOTO_BYTES)`);
  }
  if (values.driver) {
    const clipBytes = await requireReadable(values.driver, 'driving clip');
    if (clipBytes > limits.maxDriverBytes) {
      const size = localeFor().bytes;
      throw new InputError('VIDEO_TOO_LARGE', `the clip is ${size(clipBytes)}; the limit is ${size(limits.maxDriverBytes)} (MEMELOOM_MAX_DRIVER_BYTES)`);
    }
  }
  checkCaptionLength(values['caption-top'], limits);
  checkCaptionLength(values['caption-bottom'], limits);
  const templates = await loadTemplateCatalog();
  const template = values.template ? templates.get(values.template) : undefined;
  const stem = `${path.parse(values.photo).name}-${template?.id ?? path.parse(values.driver ?? 'clip').name}`;
  const out = values.out ?? `${stem}.${format}`;
  await requireWritableTarget(out);

  const captions = captionsFor(template, { captions: { top: values['caption-top'], bottom: values['caption-bottom'] }, noCaption: values['no-caption'] });
  // WebM is made as Telegram's video sticker (512 px, at most 3 s and 256 KB): that profile is Telegram's data.
  const profile = format === 'webm' ? telegramOutput('webm') : undefined;
  const spec: MemeSpec = {
    photo: await readFile(values.photo),
    templateId: template?.id,
    driverPath: values.driver,
    driverTrim,
    captions,
    format,
    maxBytes: parseNumber(values['max-bytes'], 'max-bytes') ?? profile?.maxBytes,
    fit: profile?.fit,
    fps: parseNumber(values.fps, 'fps'),
    maxSide: parseNumber(values['max-side'], 'max-side'),
    engine,
    seed: parseNumber(values.seed, 'seed'),
    prompt: values.prompt,
    transRatio: parseRatio(values['trans-ratio'], 'trans-ratio'),
    style: values.style === undefined ? undefined : stylePreset(values.style).id,
    face: values.face === undefined ? undefined : parseFaceChoice(values.face),
    faceOffsetSec: parseOffset(values['face-offset']),
  };
  const started = performance.now();
  const renderer = await createRenderer({ templates, limits, modelsDir: config.modelsDir, device, graphThreads: config.graphThreads, upscale: values['no-upscale'] ? false : undefined });
  const bar = createProgressBar();
  try {
    if (values.driver) await noteTrim(renderer, values.driver, driverTrim, limits);
    const result = await renderer.render(spec, { onProgress: bar.update });
    bar.done();
    try {
      await writeFile(out, result.bytes);
    } catch {
      throw new MemeError('OUTPUT_UNWRITABLE', `cannot write to ${out}`);
    }
    process.stdout.write(`${summary(out, result, performance.now() - started)}\n`);
    if (engine === 'auto' && renderer.autoChoice) process.stdout.write(`engine chosen automatically: ${renderer.autoChoice.reason}\n`);
    for (const note of result.notes ?? []) process.stderr.write(`warning: ${note}\n`);
    return 0;
  } finally {
    bar.done();
    await renderer.dispose();
  }
}
