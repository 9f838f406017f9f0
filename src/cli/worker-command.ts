// `memeloom worker`: one render worker for QUEUE_BACKEND=redis. Loads the pipeline for one engine, takes jobs from
// Redis until SIGINT/SIGTERM, then finishes the job in hand. Argument handling only; the work is in src/remote/.
import { parseArgs } from 'node:util';
import { createLogger } from '../logger.ts';
import type { DeviceChoice } from '../pipeline/engines/auto-engine.ts';
import type { EngineName } from '../pipeline/meme-spec.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { pinCudaDevice } from '../config.ts';

const HELP = `usage: memeloom worker [--engine warp|hellomeme] [--device auto|cpu|cuda|webgpu|cuda:N|N] [--concurrency N] [--metrics-port N]

Renders jobs that bot processes put in Redis (QUEUE_BACKEND=redis, REDIS_URL, a BLOB_DIR shared with the bots).
Run one per GPU on any number of machines.
  --engine        which queue to serve (default warp)
  --device        where hellomeme runs: auto (default: CUDA, then WebGPU, whichever really runs; a hellomeme
                  worker without either refuses to start), cpu (hours per meme), cuda, webgpu, or cuda:N / N
                  for CUDA GPU N (CUDA_VISIBLE_DEVICES for this process)
  --concurrency   jobs at once in this process (default 1)
  --metrics-port  serve Prometheus /metrics (queue depth, workers) on MEMELOOM_HOST:N
See the README, "Scaling out".`;

interface WorkerArgs {
  engine: EngineName;
  device: DeviceChoice;
  /** CUDA GPU index (cuda:N or a bare N) */
  gpuIndex?: number;
  concurrency: number;
  metricsPort?: number;
}

function parse(argv: string[]): WorkerArgs | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { engine: { type: 'string' }, device: { type: 'string' }, concurrency: { type: 'string' }, 'metrics-port': { type: 'string' } },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const engine = (values.engine as string | undefined) ?? 'warp';
  if (engine !== 'warp' && engine !== 'hellomeme') return `--engine must be warp or hellomeme, not '${engine}'`;
  const count = (name: string, min: number): number | undefined | string => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min ? n : `--${name} must be an integer >= ${min}`;
  };
  const device = parseDevice((values.device as string | undefined) ?? 'auto');
  const concurrency = count('concurrency', 1);
  const metricsPort = count('metrics-port', 0);
  for (const v of [device, concurrency, metricsPort]) if (typeof v === 'string') return v;
  const { choice, gpuIndex } = device as { choice: DeviceChoice; gpuIndex?: number };
  return { engine, device: choice, gpuIndex, concurrency: (concurrency as number | undefined) ?? 1, metricsPort: metricsPort as number | undefined };
}

/** auto | cpu | cuda | webgpu | cuda:N | N (a bare index means CUDA GPU N, as before WebGPU existed). */
function parseDevice(raw: string): { choice: DeviceChoice; gpuIndex?: number } | string {
  if (raw === 'auto' || raw === 'cpu' || raw === 'cuda' || raw === 'webgpu') return { choice: raw };
  const index = /^(?:cuda:)?(\d+)$/.exec(raw);
  if (index && Number(index[1]) <= 64) return { choice: 'cuda', gpuIndex: Number(index[1]) };
  return `--device must be auto, cpu, cuda, webgpu, cuda:N or a GPU index N, not '${raw}'`;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const args = parse(argv);
  if (typeof args === 'string') {
    process.stderr.write(`memeloom worker: ${args}\n\n${HELP}\n`);
    return 2;
  }
  const config = loadCliConfig('worker');
  if (!config) return 2;
  if (!config.redis) {
    process.stderr.write('memeloom worker: set QUEUE_BACKEND=redis and REDIS_URL (a worker takes its jobs from Redis)\n');
    return 2;
  }
  // Must be set before ONNX Runtime loads; the renderer then sees the chosen GPU as device 0.
  if (args.gpuIndex !== undefined) pinCudaDevice(args.gpuIndex);
  const log = createLogger({ level: config.logLevel }).child({ component: 'worker', engine: args.engine, device: args.gpuIndex !== undefined ? `cuda:${args.gpuIndex}` : args.device });
  const { startMemeWorker } = await import('../remote/meme-worker.ts');
  const { startWorkerMetrics } = await import('../remote/worker-metrics-server.ts');
  // In render threads, so BullMQ's lock renewals (this worker's heartbeat) are never held up by a render.
  const { createThreadedRenderer } = await import('../pipeline/render-thread/threaded-renderer.ts');
  const threads = args.engine === 'warp' ? args.concurrency : 1;
  const renderer = await createThreadedRenderer({ modelsDir: config.modelsDir, limits: config.limits, device: args.device, threads, graphThreads: config.graphThreads, log: (line) => log.info(line) });
  // The bots send `auto` jobs to the hellomeme queue while a hellomeme worker is connected, so a worker with no
  // GPU provider must not join it unless its operator asked for the CPU by name.
  if (args.engine === 'hellomeme' && args.device === 'auto' && renderer.autoChoice?.engine !== 'hellomeme') {
    await renderer.dispose();
    process.stderr.write(`memeloom worker: not serving hellomeme: ${renderer.autoChoice?.reason ?? 'no decision'}. Give --device cpu to serve it on the CPU anyway.\n`);
    return 2;
  }
  let worker: Awaited<ReturnType<typeof startMemeWorker>>;
  try {
    worker = await startMemeWorker({ config, engine: args.engine, renderer, logger: log, concurrency: args.concurrency });
  } catch (error) {
    await renderer.dispose();
    throw error;
  }
  const metrics = args.metricsPort !== undefined ? await startWorkerMetrics(config.redis, config.web.host, args.metricsPort) : undefined;
  if (metrics) log.info('metrics listening', { url: metrics.url });
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  log.info('worker stopping (finishing the job in hand)');
  await worker.close();
  await metrics?.close();
  await renderer.dispose();
  setTimeout(() => process.exit(0), 5000).unref();
  return 0;
}
