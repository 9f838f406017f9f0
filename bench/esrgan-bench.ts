// `npm run bench:esrgan`: Real-ESRGAN ×2 at full size (RealESRGAN_x2plus's architecture, random weights, fp32 CPU)
// on one 512² frame (522² after the reflect pre-pad) → 1044², tiled (the engine's default) side by side with one
// untiled pass: seconds per frame, peak RSS of each (each mode runs in its own process), and how far the tiled
// network output is from the untiled one (floats: random weights clamp most bytes to 0, so bytes would hide it).
// Writes both outputs (min-max normalised) and the difference as PNGs to look at.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { padForUpscale } from '../src/graph/models/esrgan/enhance-rgb.ts';
import { REAL_ESRGAN_X2PLUS } from '../src/graph/models/esrgan/rrdbnet.ts';
import { DEFAULT_TILES, type TileOptions, upscaleTiled } from '../src/graph/models/esrgan/tiled-upscale.ts';
import { createSession } from '../src/graph/runtime.ts';
import { writeRandomUpscaler } from '../test/helpers/tiny-hellomeme/tiny-hellomeme.ts';
import { compileUpscalerGraph } from '../src/pipeline/engines/hellomeme/upscaler-session.ts';

const SIZE = 512;
const RUNS = 2;
const MODES: Record<string, TileOptions> = { tiled: DEFAULT_TILES, untiled: { ...DEFAULT_TILES, maxTile: 1 << 20 } };
const dir = process.env.MEMELOOM_BENCH_DIR ?? join(tmpdir(), 'memeloom-esrgan-bench');
const weights = join(dir, 'esrgan', 'RealESRGAN_x2plus.safetensors');

async function frame(): Promise<{ width: number; height: number; data: Uint8Array }> {
  const photo = new URL('../assets/example-photo.png', import.meta.url).pathname;
  const { data } = await sharp(photo).resize(SIZE, SIZE, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: SIZE, height: SIZE, data: new Uint8Array(data) };
}

/** One mode in this process: RUNS upscales of the padded frame; prints JSON with the times and peak RSS. */
async function child(mode: string): Promise<void> {
  const cacheDir = join(dir, 'graphs');
  const { compiled } = await compileUpscalerGraph(weights, { target: 'cpu', cacheDir });
  const session = await createSession(compiled.modelPath, { provider: 'cpu', inputs: compiled.inputs });
  const padded = padForUpscale(await frame(), 2);
  const times: number[] = [];
  let out = padded;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = await upscaleTiled(padded, 2, async (tile) => (await session.run({ image: { elem: 'float32', dims: [1, 3, tile.height, tile.width], data: tile.data } })).upscaled.data as Float32Array, MODES[mode]);
    times.push(performance.now() - t);
  }
  await session.dispose();
  writeFileSync(join(dir, `${mode}.f32`), out.data);
  process.stdout.write(`${JSON.stringify({ mode, times, peakRss: process.resourceUsage().maxRSS * 1024, side: out.width })}\n`);
}

/** Planar floats → an RGB PNG, mapped linearly from [lo, hi] to [0, 255]. */
async function png(values: Float32Array, side: number, lo: number, hi: number, name: string): Promise<void> {
  const plane = side * side;
  const rgb = Buffer.alloc(plane * 3);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.max(0, Math.min(255, Math.round((255 * (values[c * plane + p] - lo)) / (hi - lo))));
  await sharp(rgb, { raw: { width: side, height: side, channels: 3 } }).png().toFile(join(dir, `${name}.png`));
}

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(weights)) await writeRandomUpscaler(dir, 1, REAL_ESRGAN_X2PLUS);
  const results = Object.keys(MODES).map((mode) => {
    const text = execFileSync(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--child', mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as { mode: string; times: number[]; peakRss: number; side: number };
  });
  const side = results[0].side;
  console.log(`Real-ESRGAN x2plus (${REAL_ESRGAN_X2PLUS.numBlock} RRDBs, ${REAL_ESRGAN_X2PLUS.numFeat} features), random weights, fp32 CPU, one ${SIZE}² frame (padded) → ${side}²`);
  for (const r of results) console.log(`  ${r.mode.padEnd(8)} ${r.times.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' / ')} per frame (${RUNS} runs, first includes warm-up), peak RSS ${(r.peakRss / 1024 ** 3).toFixed(2)} GiB`);
  const [tiled, untiled] = results;
  console.log(`  tiled / untiled: time ${(Math.min(...tiled.times) / Math.min(...untiled.times)).toFixed(2)}×, peak RSS ${(tiled.peakRss / untiled.peakRss).toFixed(2)}×`);
  const read = (name: string) => {
    const bytes = readFileSync(join(dir, `${name}.f32`));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  };
  const a = read('tiled');
  const b = read('untiled');
  const diff = new Float32Array(a.length);
  let max = 0;
  let sum = 0;
  let sumSq = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    diff[i] = Math.abs(a[i] - b[i]);
    max = Math.max(max, diff[i]);
    sum += b[i];
    sumSq += b[i] * b[i];
    lo = Math.min(lo, b[i]);
    hi = Math.max(hi, b[i]);
  }
  const std = Math.sqrt(sumSq / b.length - (sum / b.length) ** 2);
  console.log(`  tiled vs untiled output: max |Δ| ${max.toExponential(2)} (output range [${lo.toFixed(2)}, ${hi.toFixed(2)}], std ${std.toFixed(3)}: ${((100 * max) / std).toFixed(3)}% of a std)`);
  await png(a, side, lo, hi, 'tiled');
  await png(b, side, lo, hi, 'untiled');
  await png(diff, side, 0, Math.max(max, 1e-12), 'diff-scaled-to-max');
  console.log(`  images: ${join(dir, '{tiled,untiled,diff-scaled-to-max}.png')}`);
}

const at = process.argv.indexOf('--child');
await (at >= 0 ? child(process.argv[at + 1]) : main());
