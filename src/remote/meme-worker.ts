// The worker side: pulls jobs for one engine from its BullMQ queue, renders them on this process's Renderer,
// stores the result in the blob store and reports progress through job.updateProgress. One job per device.
// A killed worker's job is found stalled (lock expired) and re-run by another worker; it never delivers to users.
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import { MemeError, toMemeError } from '../errors.ts';
import type { EngineName, MemeResult, Renderer } from '../pipeline/meme-spec.ts';
import { RedisAdmission } from './admission.ts';
import { type BlobStore, FolderBlobStore, startBlobSweeper } from './blob-store.ts';
import { encodeFailure, queueName, type RemoteJobData, type RemoteJobResult } from './job-payload.ts';
import { bullConnection, commandClient, probeRedis } from './redis-connection.ts';

/** Progress goes to Redis at most this often per job (plus every stage change). */
const PROGRESS_INTERVAL_MS = 250;

interface MemeWorkerOptions {
  config: Config;
  engine: EngineName;
  renderer: Renderer;
  logger: Logger;
  /** Jobs rendered at once by this process (1 per GPU is the norm). */
  concurrency?: number;
  /** A name for logs and results (default host:pid). */
  name?: string;
}

interface RunningWorker {
  name: string;
  /** Stops taking jobs; a job in progress finishes first (or is picked up by another worker if this one dies). */
  close(): Promise<void>;
}

export async function startMemeWorker(options: MemeWorkerOptions): Promise<RunningWorker> {
  const { config, engine, renderer, logger: log } = options;
  const redis = config.redis;
  if (!redis) throw new MemeError('INTERNAL', 'memeloom worker needs QUEUE_BACKEND=redis and REDIS_URL');
  if (!renderer.engines.includes(engine)) throw new MemeError('ENGINE_UNAVAILABLE', `the ${engine} engine is not available on this machine`, { engine });
  await probeRedis(redis.url);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const client = commandClient(redis.url, (error) => log.warn('redis connection problem', { error: error.message }));
  const admission = new RedisAdmission(client, redis.prefix);
  const blobs = new FolderBlobStore(config.blobs.dir, config.blobs.ttlMs);
  const running = new Map<string, AbortController>();
  // Cancels arrive on a channel, since the job runs in this process and not in the one that was asked.
  const subscriber = client.duplicate({ enableOfflineQueue: true });
  subscriber.on('error', () => undefined);
  await subscriber.subscribe(`${redis.prefix}:cancel`);
  subscriber.on('message', (_channel: string, jobId: string) => running.get(jobId)?.abort(new MemeError('CANCELLED', 'cancelled by the user')));

  const processor = async (job: Job<RemoteJobData, RemoteJobResult>): Promise<RemoteJobResult> => {
    const controller = new AbortController();
    running.set(job.id!, controller);
    try {
      return await renderJob(job, { renderer, blobs, admission, signal: controller.signal, name, log });
    } catch (error) {
      const memeError = controller.signal.aborted ? toMemeError(controller.signal.reason) : toMemeError(error);
      log.info('job failed on worker', { jobId: job.id, code: memeError.code });
      throw new Error(encodeFailure(memeError));
    } finally {
      running.delete(job.id!);
      await admission.release(job.data.userId, job.id!).catch(() => undefined);
      await Promise.allSettled([job.data.photoBlob, job.data.driverBlob].filter((b): b is string => Boolean(b)).map((b) => blobs.delete(b)));
    }
  };
  const worker = new Worker<RemoteJobData, RemoteJobResult>(queueName(engine), processor, {
    connection: bullConnection(redis.url, 'blocking'),
    prefix: `${redis.prefix}:bull`,
    concurrency: options.concurrency ?? 1,
    name,
    lockDuration: redis.workerLockMs,
    stalledInterval: redis.workerLockMs,
    // One re-run after a worker dies; a job that kills workers twice fails instead of taking a third one down.
    maxStalledCount: 1,
  });
  worker.on('error', (error) => log.warn('worker redis problem', { error: error.message }));
  await worker.waitUntilReady();
  const stopSweeper = startBlobSweeper(blobs, 3600_000, (error) => log.warn('blob sweep failed', { error }));
  log.info('worker ready', { engine, name, concurrency: options.concurrency ?? 1 });
  return {
    name,
    async close() {
      stopSweeper();
      await worker.close();
      subscriber.disconnect();
      client.disconnect();
    },
  };
}

interface RenderJobDeps {
  renderer: Renderer;
  blobs: BlobStore;
  admission: RedisAdmission;
  signal: AbortSignal;
  name: string;
  log: Logger;
}

async function renderJob(job: Job<RemoteJobData, RemoteJobResult>, deps: RenderJobDeps): Promise<RemoteJobResult> {
  const { data } = job;
  await deps.admission.started(job.id!).catch(() => undefined);
  const timeout = AbortSignal.timeout(data.timeoutMs);
  const signal = AbortSignal.any([deps.signal, timeout]);
  const photo = await deps.blobs.get(data.photoBlob);
  const driver = data.driverBlob ? await deps.blobs.localFile(data.driverBlob) : undefined;
  let lastStage = '';
  let lastSentMs = 0;
  const onProgress = (p: { stage: string; overall: number }) => {
    const now = Date.now();
    if (p.stage === lastStage && now - lastSentMs < PROGRESS_INTERVAL_MS) return;
    lastStage = p.stage;
    lastSentMs = now;
    void job.updateProgress({ stage: p.stage, fraction: p.overall }).catch(() => undefined);
  };
  deps.log.info('job started on worker', { jobId: job.id, engine: data.engine, attempt: job.attemptsStarted });
  try {
    let result: MemeResult;
    try {
      result = await deps.renderer.render({ ...data.spec, photo, driverPath: driver?.path }, { signal, onProgress });
    } catch (error) {
      if (timeout.aborted) throw new MemeError('TIMEOUT', `job ran over ${data.timeoutMs} ms`);
      throw error;
    }
    const { bytes, ...meta } = result;
    const resultBlob = await deps.blobs.put(bytes, result.format);
    deps.log.info('job done on worker', { jobId: job.id, bytes: bytes.length, stageMs: result.stageMs });
    return { resultBlob, meta, worker: deps.name };
  } finally {
    await driver?.release();
  }
}
