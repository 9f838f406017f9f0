// Scale-out throughput (not part of the test run): a throwaway redis-server, 1 then 2 real `memeloom worker
// --engine warp` processes, and this process as the bot (the Redis backend, no renderer). Prints jobs/minute for
// each worker count and their ratio. Usage: npm run bench:scale -- [--jobs 12] [--workers 1,2]
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/logger.ts';
import { loadConfig } from '../src/config.ts';
import type { MemeResult } from '../src/pipeline/meme-spec.ts';
import { createRedisBackend } from '../src/remote/redis-backend.ts';
import { PHOTOS, startCli, type TestProcess } from '../test/integration/redis/processes.ts';
import { startTestRedis } from '../test/integration/redis/redis-server.ts';

const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '12' }, workers: { type: 'string', default: '1,2' } } });
const JOBS = Number(args.jobs);
const WORKER_COUNTS = args.workers.split(',').map(Number);
const PHOTO = readFileSync(path.join(PHOTOS, 'chillout.jpg'));
const TEMPLATES = ['nod-along', 'side-eye', 'smug'];

async function runBatch(backend: Awaited<ReturnType<typeof createRedisBackend>>, count: number, tag: string): Promise<{ results: MemeResult[]; ids: Set<string> }> {
  const handles = [];
  for (let i = 0; i < count; i++) {
    handles.push(
      await backend.submit({
        userId: `bench:${tag}-${i}`,
        engine: 'warp',
        priority: 'full',
        spec: { photo: PHOTO, templateId: TEMPLATES[i % TEMPLATES.length], format: 'gif', engine: 'warp', seed: i },
        route: { platform: 'cli' },
        onEvent: () => undefined,
      }),
    );
  }
  const results = await Promise.all(handles.map((h) => h.done));
  await Promise.all(handles.map((h) => backend.acknowledge?.(h.id)));
  return { results, ids: new Set(handles.map((h) => h.id)) };
}

async function measure(redisUrl: string, workers: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'memeloom-scale-'));
  const env = {
    QUEUE_BACKEND: 'redis',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `bench${workers}`,
    BLOB_DIR: path.join(dir, 'blobs'),
    MEMELOOM_DATA_DIR: dir,
    MEMELOOM_MAX_PENDING: '1000',
    MEMELOOM_INSTANCE_ID: `bench-${workers}`,
  };
  const procs: TestProcess[] = [];
  for (let i = 0; i < workers; i++) procs.push(startCli(['worker', '--engine', 'warp'], env));
  const backend = await createRedisBackend(loadConfig(env), silentLogger);
  try {
    await Promise.all(procs.map((p) => p.waitFor((l) => l.msg === 'worker ready', 120_000, 'worker ready')));
    // Warm-up: one job per worker (template motion cache, JIT), not timed.
    await runBatch(backend, workers, 'warm');
    const startedMs = performance.now();
    const { results, ids } = await runBatch(backend, JOBS, 'timed');
    const minutes = (performance.now() - startedMs) / 60_000;
    const byWorker = procs.map((p) => p.lines.filter((l) => l.msg === 'job done on worker' && ids.has(String(l.jobId))).length);
    const perMinute = JOBS / minutes;
    console.log(
      `${workers} worker(s): ${JOBS} jobs in ${(minutes * 60).toFixed(1)} s = ${perMinute.toFixed(1)} jobs/min ` +
        `(per worker: ${byWorker.join(', ')}; avg ${Math.round(results.reduce((s, r) => s + r.bytes.length, 0) / results.length / 1024)} KB)`,
    );
    return perMinute;
  } finally {
    await backend.shutdown(0);
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  }
}

const redis = await startTestRedis();
try {
  const rates: number[] = [];
  for (const workers of WORKER_COUNTS) rates.push(await measure(redis.url, workers));
  if (rates.length >= 2) console.log(`ratio ${WORKER_COUNTS[1]}:${WORKER_COUNTS[0]} workers = ${(rates[1] / rates[0]).toFixed(2)}x`);
  console.log(JSON.stringify({ bench: 'scale', jobs: JOBS, workers: WORKER_COUNTS, jobsPerMinute: rates.map((r) => Number(r.toFixed(1))) }));
} finally {
  await redis.stop();
}
process.exit(0);
