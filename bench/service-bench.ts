// Load test of the bot core (not part of the unit run): N requests from M users through the real MemeService,
// queue and warp renderer. Prints p50/p99 time to first acknowledgement, completion times, outcomes by code,
// and checks that every request ended delivered or with a coded error. Usage:
//   npm run bench:service -- [--requests 200] [--users 50] [--spacing-ms 10] [--cpu-concurrency 1]
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorText } from '../src/bots/messages.ts';
import { createMemeService } from '../src/bots/service.ts';
import type { JobFailure, JobRef, MemeRequest, Replier } from '../src/bots/service-types.ts';
import { loadConfig } from '../src/config.ts';
import { ERROR_CODES } from '../src/errors.ts';
import { createRenderer } from '../src/pipeline/render.ts';
import { loadTemplateCatalog } from '../src/templates/catalog.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    users: { type: 'string', default: '50' },
    'spacing-ms': { type: 'string', default: '10' },
    'cpu-concurrency': { type: 'string', default: '1' },
  },
});
const REQUESTS = Number(args.requests);
const USERS = Number(args.users);
const SPACING_MS = Number(args['spacing-ms']);

const PHOTOS_DIR = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'hellomeme', 'reference_images');

interface Trace {
  submittedMs: number;
  ackMs?: number;
  endMs?: number;
  outcome?: string;
  cached?: boolean;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, values: number[]): string {
  const f = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
  return `${label.padEnd(28)} n=${values.length}  p50 ${f(percentile(values, 50))}  p90 ${f(percentile(values, 90))}  p99 ${f(percentile(values, 99))}  max ${f(Math.max(...values))}`;
}

function tracingReplier(trace: Trace, settle: () => void): Replier {
  const ack = () => {
    trace.ackMs ??= performance.now();
  };
  const end = (outcome: string) => {
    ack();
    trace.endMs = performance.now();
    trace.outcome = outcome;
    settle();
  };
  return {
    queued: ack,
    progress: ack,
    deliver: async (_result, _job: JobRef) => end('delivered'),
    fail: async (failure: JobFailure) => end(failure.code),
  };
}

async function main(): Promise<void> {
  const config = loadConfig({
    MEMELOOM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'memeloom-bench-')),
    MEMELOOM_ENGINE: 'warp',
    MEMELOOM_GPU_DEVICES: '0',
    MEMELOOM_CPU_CONCURRENCY: args['cpu-concurrency'],
    MEMELOOM_MAX_PENDING: String(REQUESTS),
    MEMELOOM_MAX_ACTIVE_PER_USER: String(Math.ceil(REQUESTS / USERS)),
    MEMELOOM_WARP_TIMEOUT_MS: '600000',
  });
  const templates = await loadTemplateCatalog();
  const renderer = await createRenderer({ templates });
  const service = createMemeService({ config, renderer, templates });
  const photos = readdirSync(PHOTOS_DIR).sort().map((name) => readFileSync(path.join(PHOTOS_DIR, name)));
  const templateIds = templates.list().map((t) => t.id);

  const traces: Trace[] = [];
  const ended: Promise<void>[] = [];
  const startedMs = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const user = i % USERS;
    const round = Math.floor(i / USERS);
    // Users share photos (50 users, 20 photos), so some requests repeat a (photo, template) pair: cache hits.
    const request: MemeRequest = {
      platform: 'telegram',
      userId: `bench:${user}`,
      photo: photos[user % photos.length],
      templateId: templateIds[(user + round) % templateIds.length],
      format: 'gif',
      maxBytes: 8 * 1024 * 1024,
    };
    const trace: Trace = { submittedMs: performance.now() };
    traces.push(trace);
    ended.push(
      new Promise<void>((settle) => {
        service.submit(request, tracingReplier(trace, settle)).then(
          () => undefined,
          (error: unknown) => {
            trace.ackMs ??= performance.now();
            trace.endMs = performance.now();
            trace.outcome = errorText(error).code;
            settle();
          },
        );
      }),
    );
    if (SPACING_MS > 0) await new Promise((res) => setTimeout(res, SPACING_MS));
  }
  await Promise.all(ended);
  const wallMs = performance.now() - startedMs;
  report(traces, wallMs, service.stats().cache.entries);
  const byOutcome = Object.fromEntries((await service.metrics.outcomes.get()).values.map((v) => [v.labels.outcome, v.value]));
  console.log(`renders: ${byOutcome.delivered ?? 0} (cache hits ${byOutcome.cached ?? 0}, joined a render in flight ${byOutcome.joined ?? 0})`);
  await service.shutdown(1000);
  await renderer.dispose();
}

function report(traces: Trace[], wallMs: number, cacheEntries: number): void {
  const outcomes = new Map<string, number>();
  for (const t of traces) outcomes.set(t.outcome ?? 'LOST', (outcomes.get(t.outcome ?? 'LOST') ?? 0) + 1);
  const acks = traces.filter((t) => t.ackMs !== undefined).map((t) => t.ackMs! - t.submittedMs);
  const delivered = traces.filter((t) => t.outcome === 'delivered').map((t) => t.endMs! - t.submittedMs);
  const coded = new Set<string>(ERROR_CODES);
  const lost = traces.filter((t) => !t.outcome || (t.outcome !== 'delivered' && !coded.has(t.outcome)));
  console.log(`memeloom service bench: ${traces.length} requests, ${USERS} users, ${SPACING_MS} ms apart, warp engine`);
  console.log(summary('time to first acknowledgement', acks));
  console.log(summary('time to delivery', delivered));
  console.log(`wall time ${(wallMs / 1000).toFixed(1)} s, ${(delivered.length / (wallMs / 1000)).toFixed(2)} deliveries/s, ${cacheEntries} distinct results cached`);
  console.log(`outcomes: ${[...outcomes].map(([k, v]) => `${k}=${v}`).join(', ')}`);
  console.log(`ack p99 goal < 50 ms: ${percentile(acks, 99) < 50 ? 'met' : 'MISSED'}; lost or uncoded: ${lost.length}`);
  if (lost.length > 0) process.exitCode = 1;
}

await main();
