// The bot side of QUEUE_BACKEND=redis: admits a job in Redis (atomic limits), puts its inputs in the blob store,
// adds it to the engine's BullMQ queue, and turns QueueEvents back into the JobEvents the service already speaks.
// Rendering happens in `memeloom worker` processes (meme-worker.ts); this module never loads the pipeline.
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { MemeJob, MemeJobBackend, ReplyRoute, ResumedJob } from '../jobs/job-backend.ts';
import type { Logger } from '../logger.ts';
import type { Config } from '../config.ts';
import { MemeError } from '../errors.ts';
import type { EngineName, MemeResult } from '../pipeline/meme-spec.ts';
import type { JobEvent, JobHandle, QueueStats } from '../queue/queue-types.ts';
import { RedisAdmission } from './admission.ts';
import { FolderBlobStore, startBlobSweeper } from './blob-store.ts';
import type { RemoteJobData, StoredRoute } from './job-payload.ts';
import { queueName } from './job-payload.ts';
import { asBackendError, bullConnection, commandClient, probeRedis } from './redis-connection.ts';
import { RemoteJobTracker } from './remote-job-tracker.ts';
import { readRemoteStats, registerRemoteMetrics, type RemoteStats } from './remote-stats.ts';

const ENGINES: EngineName[] = ['warp', 'hellomeme'];
const STATS_INTERVAL_MS = 2000;
const PREVIEW_FIRST = 1000; // full jobs rank behind every preview in the same engine queue
const REROUTE_LUA = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1`;

interface RedisBackend extends MemeJobBackend {
  registerMetrics(registry: Registry): void;
}

/** Connects (throwing BACKEND_UNAVAILABLE with the URL when Redis is not there) and starts listening for events. */
export async function createRedisBackend(config: Config, log: Logger): Promise<RedisBackend> {
  const redisConfig = config.redis;
  if (!redisConfig) throw new MemeError('INTERNAL', 'createRedisBackend needs QUEUE_BACKEND=redis and REDIS_URL');
  await probeRedis(redisConfig.url);
  const client = commandClient(redisConfig.url, (error) => log.warn('redis connection problem', { error: error.message }));
  const prefix = `${redisConfig.prefix}:bull`;
  const queues = new Map<EngineName, Queue>();
  const events = new Map<EngineName, QueueEvents>();
  for (const engine of ENGINES) {
    const queue = new Queue(queueName(engine), { connection: bullConnection(redisConfig.url, 'producer'), prefix });
    queue.on('error', (error) => log.warn('redis queue problem', { engine, error: error.message }));
    queues.set(engine, queue);
    const listener = new QueueEvents(queueName(engine), { connection: bullConnection(redisConfig.url, 'blocking'), prefix });
    listener.on('error', (error) => log.warn('redis events problem', { engine, error: error.message }));
    events.set(engine, listener);
  }
  await Promise.all([...events.values()].map((e) => e.waitUntilReady()));
  const backend = new RedisBackendImpl(config, log, client, queues, events);
  await backend.refreshStats();
  return backend;
}

class RedisBackendImpl implements RedisBackend {
  readonly kind = 'redis' as const;
  readonly #config: Config;
  readonly #redis: NonNullable<Config['redis']>;
  readonly #log: Logger;
  readonly #client: Redis;
  readonly #queues: Map<EngineName, Queue>;
  readonly #events: Map<EngineName, QueueEvents>;
  readonly #admission: RedisAdmission;
  readonly #blobs: FolderBlobStore;
  readonly #tracker: RemoteJobTracker;
  readonly #routesKey: string;
  readonly #stopSweeper: () => void;
  readonly #statsTimer: NodeJS.Timeout;
  #stats: RemoteStats = {};
  #accepting = true;

  constructor(config: Config, log: Logger, client: Redis, queues: Map<EngineName, Queue>, events: Map<EngineName, QueueEvents>) {
    this.#config = config;
    this.#redis = config.redis!;
    this.#log = log;
    this.#client = client;
    this.#queues = queues;
    this.#events = events;
    this.#admission = new RedisAdmission(client, this.#redis.prefix);
    this.#blobs = new FolderBlobStore(config.blobs.dir, config.blobs.ttlMs);
    this.#routesKey = `${this.#redis.prefix}:routes:${this.#redis.instanceId}`;
    this.#tracker = new RemoteJobTracker({
      queues,
      events,
      blobs: this.#blobs,
      redis: client,
      log,
      workersOf: (engine) => this.#stats[engine]?.workers ?? 0,
      onSettled: (job) => void this.#admission.release(job.userId, job.jobId).catch(() => undefined),
    });
    this.#stopSweeper = startBlobSweeper(this.#blobs, 3600_000, (error) => log.warn('blob sweep failed', { error }));
    this.#statsTimer = setInterval(() => void this.refreshStats(), STATS_INTERVAL_MS);
    this.#statsTimer.unref();
  }

  /**
   * hellomeme while a hellomeme worker is connected: a worker serves that lane only where the auto decision found a
   * GPU provider, or where its operator named a device (memeloom worker --device).
   */
  get autoEngine(): EngineName {
    return this.engines.includes('hellomeme') ? 'hellomeme' : 'warp';
  }

  /** warp always (jobs wait for a worker); hellomeme only while a hellomeme worker is connected. */
  get engines(): EngineName[] {
    return ENGINES.filter((e) => e === 'warp' || (this.#stats[e]?.workers ?? 0) > 0);
  }

  async refreshStats(): Promise<void> {
    try {
      this.#stats = await readRemoteStats(this.#queues);
    } catch {
      // Kept from the last good read; /metrics reports redis_up 0 meanwhile.
    }
  }

  async submit(job: MemeJob): Promise<JobHandle<MemeResult>> {
    if (!this.#accepting) throw new MemeError('SHUTTING_DOWN', 'the bot is shutting down');
    const q = this.#config.queue;
    const timeoutMs = job.engine === 'hellomeme' ? q.hellomemeTimeoutMs : q.warpTimeoutMs;
    const jobId = randomUUID();
    const limits = { ...q, activeTtlMs: 2 * timeoutMs + 3600_000 };
    // A companion (a preview beside its request's HD job) rides on the HD job's admission: previews go first.
    const admitted = job.companion
      ? { userRank: 1, position: 1 }
      : await this.#admission.admit(job.userId, jobId, limits).catch((error: unknown) => {
          throw asBackendError(error);
        });
    const blobs: string[] = [];
    try {
      blobs.push(await this.#blobs.put(job.spec.photo));
      if (job.driver) blobs.push(await this.#blobs.put(job.driver.bytes, job.driver.ext));
      const { photo: _photo, driverPath: _driverPath, ...spec } = job.spec;
      const data: RemoteJobData = {
        userId: job.userId,
        engine: job.engine,
        priority: job.priority,
        spec,
        photoBlob: blobs[0],
        driverBlob: blobs[1],
        botId: this.#redis.instanceId,
        requestId: job.route.upgradeOf ?? job.route.previewOf ?? jobId,
        timeoutMs,
        submittedAtMs: Date.now(),
      };
      const route: StoredRoute = { userId: job.userId, engine: job.engine, route: job.route, language: job.language };
      // The route first: a restart between the two steps then finds the job; the other order could lose it.
      await this.#client.hset(this.#routesKey, jobId, JSON.stringify(route));
      await this.#queues.get(job.engine)!.add('meme', data, {
        jobId,
        priority: Math.min(admitted.userRank + (job.priority === 'preview' ? 0 : PREVIEW_FIRST), 2_000_000),
        attempts: 1,
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      });
    } catch (error) {
      await Promise.allSettled([this.#admission.release(job.userId, jobId), this.#client.hdel(this.#routesKey, jobId), ...blobs.map((b) => this.#blobs.delete(b))]);
      throw asBackendError(error);
    }
    const handle = this.#tracker.track(jobId, job.userId, job.engine, job.onEvent);
    // The place in BullMQ's priority order (users take turns), not the order of arrival.
    const rank = await this.#client.zrank(this.#queues.get(job.engine)!.keys.prioritized, jobId).catch(() => null);
    this.#tracker.announceQueued(jobId, rank === null ? admitted.position : rank + 1);
    return handle;
  }

  cancel(jobId: string): boolean {
    const job = this.#tracker.get(jobId);
    if (!job || job.settled) return false;
    void this.#cancelRemote(jobId).catch((error) => this.#log.warn('cancel failed', { jobId, error }));
    return true;
  }

  cancelForUser(userId: string): boolean {
    let any = false;
    for (const job of this.#tracker.ofUser(userId)) any = this.cancel(job.jobId) || any;
    return any;
  }

  stats(): QueueStats {
    const lanes: QueueStats['lanes'] = {};
    let pending = 0;
    let running = 0;
    for (const [engine, s] of Object.entries(this.#stats) as [EngineName, NonNullable<RemoteStats[EngineName]>][]) {
      lanes[engine === 'warp' ? 'cpu' : 'gpu'] = { queued: s.waiting, running: s.active, concurrency: s.workers, avgJobMs: this.#tracker.averageMs(engine) };
      pending += s.waiting;
      running += s.active;
    }
    return { accepting: this.#accepting, pending, running, lanes };
  }

  registerMetrics(registry: Registry): void {
    registerRemoteMetrics(registry, () => readRemoteStats(this.#queues));
  }

  async acknowledge(jobId: string): Promise<void> {
    const job = this.#tracker.forget(jobId);
    await this.#client.hdel(this.#routesKey, jobId);
    if (job) await Promise.allSettled(job.blobs.map((b) => this.#blobs.delete(b)));
  }

  async reroute(jobId: string, route: ReplyRoute): Promise<void> {
    const tracked = this.#tracker.get(jobId);
    if (!tracked) return;
    // The language stays as the job was submitted with: only where the result goes changes.
    const before = await this.#client.hget(this.#routesKey, jobId);
    const language = before ? (JSON.parse(before) as StoredRoute).language : undefined;
    const stored: StoredRoute = { userId: tracked.userId, engine: tracked.engine, route, language };
    // Only while the route is there: an acknowledged job must not come back after a restart.
    await this.#client.eval(REROUTE_LUA, 1, this.#routesKey, jobId, JSON.stringify(stored));
  }

  async resume(): Promise<ResumedJob[]> {
    const entries = await this.#client.hgetall(this.#routesKey);
    const resumed: ResumedJob[] = [];
    for (const [jobId, text] of Object.entries(entries)) {
      const stored = JSON.parse(text) as StoredRoute;
      if (this.#tracker.get(jobId)) continue;
      // Events may arrive before the service listens; until then there is nobody to tell.
      let listener: (event: JobEvent) => void = () => undefined;
      const handle = this.#tracker.track(jobId, stored.userId, stored.engine, (event) => listener(event));
      const listen = (fn: (event: JobEvent) => void) => {
        listener = fn;
      };
      resumed.push({ jobId, userId: stored.userId, route: stored.route, language: stored.language, done: handle.done, listen });
      await this.#tracker.reconcile(jobId, true);
    }
    return resumed;
  }

  /** Stops taking jobs and closes connections; jobs in flight stay in Redis and a restarted process resumes them. */
  async shutdown(_graceMs: number): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#statsTimer);
    this.#stopSweeper();
    this.#tracker.close();
    await Promise.allSettled([...this.#events.values()].map((e) => e.close()));
    await Promise.allSettled([...this.#queues.values()].map((q) => q.close()));
    this.#client.disconnect();
  }

  async #cancelRemote(jobId: string): Promise<void> {
    const tracked = this.#tracker.get(jobId)!;
    const job = await this.#queues.get(tracked.engine)!.getJob(jobId);
    const state = await job?.getState();
    if (job && (state === 'waiting' || state === 'prioritized' || state === 'delayed')) {
      try {
        await job.remove();
        this.#tracker.settle(jobId, { error: new MemeError('CANCELLED', 'cancelled by the user') });
        return;
      } catch {
        // A worker took it meanwhile: cancel it there.
      }
    }
    await this.#client.publish(`${this.#redis.prefix}:cancel`, jobId);
  }
}
