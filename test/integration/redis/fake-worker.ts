// Test entry: a worker process on the real worker code (startMemeWorker: BullMQ Worker, blob store, progress,
// admission release, cancel channel) with a timed renderer instead of the pipeline, so fairness and fault tests
// take seconds. Its output names the worker and the job's seed, so a test can tell who rendered what. MP4 jobs get
// a tiny real H.264 clip (made once with ffmpeg), because the fake Telegram server checks what sendAnimation gets.
// An optional third argument names the engine it serves (warp by default): a "hellomeme" one makes a clip of
// another colour, so a test can tell an HD result from a preview by its bytes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../src/logger.ts';
import { loadConfig } from '../../../src/config.ts';
import { runFfmpeg } from '../../../src/pipeline/media/ffmpeg.ts';
import type { EngineName, MemeResult, MemeSpec, Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { RunOptions, StageName } from '../../../src/pipeline/types.ts';
import { startMemeWorker } from '../../../src/remote/meme-worker.ts';

const renderMs = Number(process.argv[2] ?? '300');
const name = process.argv[3] ?? `fake-${process.pid}`;
const engine: EngineName = process.argv[4] === 'hellomeme' ? 'hellomeme' : 'warp';
const STAGES: StageName[] = ['decode', 'face', 'motion', 'engine', 'captions', 'encode'];
let tinyMp4: Promise<Buffer> | undefined;

/** Half a second of a flat 64×64 colour as H.264 without audio: what Telegram's sendAnimation accepts. */
function makeTinyMp4(): Promise<Buffer> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'memeloom-fake-worker-')), 'tiny.mp4');
  const colour = engine === 'hellomeme' ? 'teal' : 'orange';
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=64x64:d=0.5:r=10`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-an', '-y', file];
  return runFfmpeg(args, { stdoutToBuffer: false }).then(() => readFileSync(file));
}

const renderer: Renderer = {
  engines: [engine],
  async render(spec: MemeSpec, run: RunOptions = {}): Promise<MemeResult> {
    for (let i = 0; i < STAGES.length; i++) {
      if (run.signal?.aborted) throw run.signal.reason;
      run.onProgress?.({ stage: STAGES[i], fraction: 1, overall: (i + 1) / STAGES.length });
      await new Promise((res) => setTimeout(res, renderMs / STAGES.length));
    }
    const mp4 = spec.format === 'mp4';
    if (mp4) tinyMp4 ??= makeTinyMp4();
    const bytes = tinyMp4 && mp4 ? await tinyMp4 : Buffer.from(`GIF89a|${name}|${spec.seed}|${spec.photo.length}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    process.stdout.write(`${JSON.stringify({ ev: 'rendered', seed: spec.seed, worker: name, engine, sha })}\n`);
    return {
      bytes,
      format: mp4 ? 'mp4' : 'gif',
      mime: mp4 ? 'video/mp4' : 'image/gif',
      width: 8,
      height: 8,
      fps: 12,
      frameCount: 1,
      durationSec: 0.1,
      engine,
      seed: spec.seed ?? 0,
      stageMs: { engine: renderMs },
      budget: { fps: 12, width: 8, height: 8, attempts: 1 },
    };
  },
  async dispose() {},
};

const worker = await startMemeWorker({
  config: loadConfig(),
  engine,
  renderer,
  name,
  logger: createLogger({ level: 'info', stream: process.stderr }),
});
process.stdout.write(`${JSON.stringify({ ev: 'ready', worker: worker.name })}\n`);
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
