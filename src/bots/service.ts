// The platform-neutral meme service: MemeRequest → checks → result cache → queue job → Replier, with cancel and
// reroll by job id. Composes queue/ and the pipeline's Renderer; it must not know any platform's vocabulary.
import { randomInt, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import { MemeError, toMemeError } from '../errors.ts';
import type { EngineName, MemeResult, MemeSpec, Renderer } from '../pipeline/meme-spec.ts';
import type { OutputFormat, StageName } from '../pipeline/types.ts';
import { JobQueue } from '../queue/job-queue.ts';
import type { JobContext, JobEvent, JobHandle, QueueStats } from '../queue/queue-types.ts';
import type { TemplateCatalog } from '../templates/template-types.ts';
import { checkRequest } from './input-checks.ts';
import { type Logger, silentLogger } from './logger.ts';
import { errorText } from './messages.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import { RecentRequests } from './recent-requests.ts';
import { ReplierChannel } from './replier-channel.ts';
import { cacheKey, ResultCache } from './result-cache.ts';
import { createServiceMetrics, type ServiceMetrics } from './service-metrics.ts';
import type { JobRef, MemeRequest, MemeService, ProgressUpdate, Replier } from './service-types.ts';
import { UploadStore } from './upload-store.ts';

/** Seed used when a request gives none, so repeats hit the cache; reroll picks a random one. */
export const DEFAULT_SEED = 0;
const LANE_OF: Record<EngineName, string> = { warp: 'cpu', hellomeme: 'gpu' };

export interface MemeServiceDeps {
  config: Config;
  renderer: Renderer;
  templates: TemplateCatalog;
  logger?: Logger;
  /** Defaults to a JobQueue built from config.queue. */
  queue?: JobQueue;
  now?: () => number;
}

export interface ServiceStats {
  queue: QueueStats;
  cache: { entries: number; bytes: number };
  engines: EngineName[];
}

/** MemeService plus what the composition root and the web playground need. */
export interface CoreMemeService extends MemeService {
  /** Renders a previous request again with some options changed (same seed unless given), e.g. as MP4. */
  rerender(jobId: string, changes: { format?: OutputFormat; seed?: number }, replier: Replier): Promise<JobRef>;
  stats(): ServiceStats;
  readonly metrics: ServiceMetrics;
  readonly templates: TemplateCatalog;
}

/** Lanes from config: warp on the CPU lane; HelloMeme on one GPU lane spanning the configured devices. */
export function createQueueFromConfig(config: Config, now?: () => number, logger: Logger = silentLogger): JobQueue {
  const q = config.queue;
  const lanes = [{ name: 'cpu', devices: 1, concurrencyPerDevice: q.cpuConcurrency, timeoutMs: q.warpTimeoutMs, initialJobMs: 3000 }];
  if (q.gpuDevices > 0) {
    lanes.push({ name: 'gpu', devices: q.gpuDevices, concurrencyPerDevice: q.gpuConcurrencyPerDevice, timeoutMs: q.hellomemeTimeoutMs, initialJobMs: 60_000 });
  }
  return new JobQueue({
    lanes,
    maxPending: q.maxPending,
    maxActivePerUser: q.maxActivePerUser,
    hourlyLimitPerUser: q.hourlyLimitPerUser,
    dailyLimitPerUser: q.dailyLimitPerUser,
    now,
    onAbandoned: (jobId, lane) => logger.warn('aborted job did not stop; its slot was released', { jobId, lane }),
  });
}

/** Builds the service; adapters receive it as a MemeService, main.ts and web/ use the CoreMemeService extras. */
export function createMemeService(deps: MemeServiceDeps): CoreMemeService {
  return new MemeServiceCore(deps);
}

class MemeServiceCore implements CoreMemeService {
  readonly metrics: ServiceMetrics;
  readonly templates: TemplateCatalog;
  readonly #config: Config;
  readonly #renderer: Renderer;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #queue: JobQueue;
  readonly #cache: ResultCache;
  readonly #recent: RecentRequests;
  readonly #uploads: UploadStore;
  readonly #channels = new Set<ReplierChannel>();
  readonly #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: MemeServiceDeps) {
    this.#config = deps.config;
    this.#renderer = deps.renderer;
    this.templates = deps.templates;
    this.#log = deps.logger ?? silentLogger;
    this.#now = deps.now ?? Date.now;
    this.#queue = deps.queue ?? createQueueFromConfig(deps.config, this.#now, this.#log);
    this.metrics = createServiceMetrics(() => this.#queue.stats());
    this.#cache = new ResultCache({ maxBytes: deps.config.cache.maxBytes, ttlMs: deps.config.cache.ttlMs, now: this.#now });
    this.#recent = new RecentRequests({ maxEntries: 500, maxBytes: 256 * 1024 * 1024, ttlMs: 3600_000, now: this.#now });
    this.#uploads = new UploadStore(deps.config.dataDir, deps.config.retention.uploadHours);
    if (this.#uploads.retaining) {
      this.#sweepTimer = setInterval(() => void this.#uploads.sweep().catch(() => undefined), 3600_000);
      this.#sweepTimer.unref();
    }
  }

  async submit(request: MemeRequest, replier: Replier): Promise<JobRef> {
    try {
      if (this.#closed) throw new MemeError('SHUTTING_DOWN', 'the service is shutting down');
      const kinds = checkRequest(request, this.#config.limits);
      if (request.templateId) this.templates.get(request.templateId);
      const engine = this.#resolveEngine(request);
      const normalized: MemeRequest = { ...request, engine, seed: request.seed ?? DEFAULT_SEED };
      const spec: MemeSpec = {
        photo: request.photo,
        templateId: request.templateId,
        captions: request.captions,
        format: request.format,
        maxBytes: request.maxBytes,
        engine,
        seed: normalized.seed,
      };
      const key = cacheKey({
        photo: request.photo,
        template: request.templateId,
        driver: request.driver?.bytes,
        engine,
        format: request.format,
        maxBytes: request.maxBytes,
        captions: JSON.stringify(request.captions ?? {}),
        seed: normalized.seed,
      });
      const cached = this.#cache.get(key);
      if (cached) return this.#deliverCached(normalized, cached, replier);
      return this.#enqueue(normalized, spec, kinds.clip, key, replier);
    } catch (error) {
      const memeError = toMemeError(error);
      this.metrics.outcomes.inc({ outcome: 'refused' });
      this.metrics.failures.inc({ code: memeError.code });
      this.#log.info('request refused', { userId: request.userId, platform: request.platform, code: memeError.code });
      throw memeError;
    }
  }

  async rerender(jobId: string, changes: { format?: OutputFormat; seed?: number }, replier: Replier): Promise<JobRef> {
    const previous = this.#recent.get(jobId);
    if (!previous) throw new MemeError('UNKNOWN_JOB', `no recent job ${jobId}`, { jobId });
    return this.submit({ ...previous, ...changes }, replier);
  }

  reroll(jobId: string, replier: Replier): Promise<JobRef> {
    return this.rerender(jobId, { seed: randomInt(1, 2 ** 31 - 1) }, replier);
  }

  cancel(jobId: string): boolean {
    return this.#queue.cancel(jobId);
  }

  cancelForUser(userId: string): boolean {
    return this.#queue.cancelForUser(userId);
  }

  stats(): ServiceStats {
    return {
      queue: this.#queue.stats(),
      cache: { entries: this.#cache.size, bytes: this.#cache.bytes },
      engines: [...this.#renderer.engines],
    };
  }

  /** Stops admitting; queued users are told SHUTTING_DOWN, running jobs get graceMs; resolves when all replies went out. */
  async shutdown(graceMs = this.#config.queue.shutdownGraceMs): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#queue.shutdown(graceMs);
    await Promise.all([...this.#channels].map((c) => c.drained()));
  }

  #resolveEngine(request: MemeRequest): EngineName {
    const wanted = request.engine ?? this.#config.engine;
    const available = this.#renderer.engines.filter((e) => this.#queue.laneNames.includes(LANE_OF[e]));
    if (wanted === 'auto') return request.priority === 'preview' || !available.includes('hellomeme') ? 'warp' : 'hellomeme';
    if (!available.includes(wanted)) throw new MemeError('ENGINE_UNAVAILABLE', `engine ${wanted} is not available`, { engine: wanted });
    return wanted;
  }

  #openChannel(replier: Replier): ReplierChannel {
    const channel = new ReplierChannel(replier, this.#log);
    this.#channels.add(channel);
    return channel;
  }

  #closeChannel(channel: ReplierChannel): void {
    void channel.drained().then(() => this.#channels.delete(channel));
  }

  #deliverCached(request: MemeRequest, result: MemeResult, replier: Replier): JobRef {
    const jobId = randomUUID();
    this.#recent.remember(jobId, request);
    this.metrics.cacheHits.inc();
    this.metrics.outcomes.inc({ outcome: 'cached' });
    this.#log.info('job served from cache', { jobId, userId: request.userId, platform: request.platform });
    const channel = this.#openChannel(replier);
    void channel.send('deliver', result, { jobId });
    this.#closeChannel(channel);
    return { jobId };
  }

  #enqueue(request: MemeRequest, spec: MemeSpec, clipExt: string | undefined, key: string, replier: Replier): JobRef {
    const channel = this.#openChannel(replier);
    const throttle = new ProgressThrottle(this.#config.progress.stageIntervalMs, this.#now);
    let jobId: string | undefined;
    let first: ProgressUpdate | undefined;
    const forward = (update: ProgressUpdate) => {
      if (throttle.accept(update)) void channel.send('progress', update);
    };
    const onEvent = (event: JobEvent) => {
      const update = toUpdate(event);
      // Events raised while submit is still running are folded into the first acknowledgement.
      if (jobId === undefined) first = event.type === 'queued' ? update : { ...first, ...update };
      else forward(update);
    };
    let handle: JobHandle<MemeResult>;
    try {
      handle = this.#queue.submit<MemeResult>({
        userId: request.userId,
        lane: LANE_OF[spec.engine as EngineName],
        priority: request.priority ?? 'full',
        onEvent,
        run: (context) => this.#render(spec, request, clipExt, context),
      });
    } catch (error) {
      this.#closeChannel(channel);
      throw error;
    }
    jobId = handle.id;
    throttle.announced(first?.position);
    void channel.send('queued', { jobId, position: first?.position, etaSec: first?.etaSec });
    if (first?.stage !== undefined) forward({ ...first, jobId });
    this.#recent.remember(jobId, request);
    this.#finish(jobId, request, key, channel, handle.done);
    this.#log.info('job queued', {
      jobId,
      userId: request.userId,
      platform: request.platform,
      engine: spec.engine,
      template: spec.templateId,
      position: first?.position,
    });
    this.#retain(jobId, request);
    return { jobId };
  }

  async #render(spec: MemeSpec, request: MemeRequest, clipExt: string | undefined, context: JobContext): Promise<MemeResult> {
    const { signal, report, jobId } = context;
    // Clips go to disk only while their job runs: the pipeline reads them by path.
    const clip = request.driver ? await this.#uploads.stageClip(jobId, request.driver.bytes, clipExt ?? 'mp4') : undefined;
    try {
      const runSpec = clip ? { ...spec, driverPath: clip.path } : spec;
      return await this.#renderer.render(runSpec, { signal, onProgress: (p) => report({ stage: p.stage, fraction: p.overall }) });
    } finally {
      await clip?.release();
    }
  }

  #finish(jobId: string, request: MemeRequest, key: string, channel: ReplierChannel, outcome: Promise<MemeResult>): void {
    const submittedMs = this.#now();
    outcome.then(
      (result) => {
        this.#cache.set(key, result);
        for (const [stage, ms] of Object.entries(result.stageMs)) {
          this.metrics.jobDuration.observe({ engine: result.engine, stage }, (ms ?? 0) / 1000);
        }
        // "total" is from acceptance to result, so it includes the wait in the queue.
        this.metrics.jobDuration.observe({ engine: result.engine, stage: 'total' }, (this.#now() - submittedMs) / 1000);
        this.metrics.outcomes.inc({ outcome: 'delivered' });
        this.#log.info('job done', { jobId, engine: result.engine, bytes: result.bytes.length, stageMs: result.stageMs });
        void channel.send('deliver', result, { jobId });
        this.#closeChannel(channel);
      },
      (error: unknown) => {
        const { code, text } = errorText(error);
        this.metrics.failures.inc({ code });
        this.metrics.outcomes.inc({ outcome: 'failed' });
        const level = code === 'INTERNAL' || code === 'BAD_TENSOR' || code === 'BAD_WEIGHTS' ? 'error' : 'info';
        this.#log[level]('job failed', { jobId, userId: request.userId, code, error });
        void channel.send('fail', { jobId, code, text });
        this.#closeChannel(channel);
      },
    );
  }

  #retain(jobId: string, request: MemeRequest): void {
    if (!this.#uploads.retaining) return;
    const files = [{ name: 'photo', bytes: request.photo }];
    if (request.driver) files.push({ name: 'clip', bytes: request.driver.bytes });
    void this.#uploads.retain(jobId, files).catch((error) => this.#log.warn('could not retain uploads', { jobId, error }));
  }
}

function toUpdate(event: JobEvent): ProgressUpdate {
  switch (event.type) {
    case 'queued':
    case 'position':
      return { jobId: event.jobId, position: event.position, etaSec: event.etaSec };
    case 'started':
      return { jobId: event.jobId, stage: 'decode', fraction: 0, etaSec: event.etaSec };
    case 'progress':
      return { jobId: event.jobId, stage: event.stage as StageName, fraction: event.fraction, etaSec: event.etaSec };
  }
}
