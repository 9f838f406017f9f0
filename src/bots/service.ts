// The platform-neutral meme service: MemeRequest → checks → result cache → job backend → Replier, with cancel and
// reroll by job id. Jobs run in-process (local-backend.ts: queue/ + the Renderer) or on workers through Redis
// (remote/, loaded only when configured); it must not know any platform's vocabulary.
import { randomInt, randomUUID } from 'node:crypto';
import type { Config, InputLimits } from '../config.ts';
import { type BoundedCache, boundedCache } from '../bounded-cache.ts';
import { errorKind, MemeError, toMemeError } from '../errors.ts';
import { DEFAULT_FACE_CHOICE } from '../pipeline/face/face-choice.ts';
import type { InputInspector } from '../pipeline/input-inspector.ts';
import { stylePreset } from '../models/model-files.ts';
import { DEFAULT_SEED, type EngineName, type MemeResult, type MemeSpec, type Renderer } from '../pipeline/meme-spec.ts';
import type { StageName } from '../pipeline/types.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { JobEvent, JobHandle, QueueStats } from '../queue/queue-types.ts';
import { captionsFor } from '../templates/default-captions.ts';
import type { TemplateCatalog } from '../templates/template-types.ts';
import { checkClipBytes, checkPhotoBytes, checkRequest, checkStyle } from './input-checks.ts';
import type { MemeJobBackend, ResumedJob } from '../jobs/job-backend.ts';
import { createLocalBackend, createQueueFromConfig } from './local-backend.ts';
import { type Logger, silentLogger } from '../logger.ts';
import { errorText } from './messages.ts';
import { ReplierChannel } from './replier-channel.ts';
import { cacheKey, ResultCache } from './result-cache.ts';
import { createServiceMetrics, type ServiceMetrics } from './service-metrics.ts';
import { SharedJob, SharedJobs, type Subscriber } from './shared-jobs.ts';
import type { CheckedInputs, InputsToCheck, JobRef, MemeRequest, MemeService, ProgressUpdate, Replier, ReplierFactory, RoutableReplier, UpgradingReplier } from './service-types.ts';
import { PreviewUpgrades, previewFirst } from './upgrade/preview-upgrades.ts';
import { UploadStore } from './upload-store.ts';

interface MemeServiceDeps {
  config: Config;
  /** Runs jobs in-process; not needed when `backend` sends them elsewhere. */
  renderer?: Renderer;
  templates: TemplateCatalog;
  logger?: Logger;
  /** Defaults to a JobQueue built from config.queue (embedded backend only). */
  queue?: JobQueue;
  /** Where jobs run; defaults to the embedded JobQueue + renderer. */
  backend?: MemeJobBackend;
  /** The checks on arriving photos and clips; defaults to the renderer's (none: byte and type checks only). */
  inspector?: InputInspector;
  now?: () => number;
}

interface ServiceStats {
  queue: QueueStats;
  cache: { entries: number; bytes: number };
  engines: EngineName[];
  /** Installed LoRA styles when the backend knows them (in-process); undefined: the workers decide. */
  styles?: readonly string[];
}

type RenderChanges = Partial<Pick<MemeRequest, 'format' | 'seed' | 'engine' | 'upgrade' | 'face'>>;

/** MemeService plus what the composition root and the web playground need. */
export interface CoreMemeService extends MemeService {
  /**
   * Renders a previous request again with some options changed (same seed unless given), e.g. as MP4; `engine` and
   * `upgrade: false` keep a previewed meme's variant on the engine of what is on screen.
   */
  rerender(jobId: string, changes: RenderChanges, replier: Replier): Promise<JobRef>;
  stats(): ServiceStats;
  /** Re-attaches to jobs submitted before a restart (remote backend) and delivers them through re-created Repliers. */
  resume(factories: Partial<Record<string, ReplierFactory>>): Promise<number>;
  readonly backendKind: MemeJobBackend['kind'];
  readonly metrics: ServiceMetrics;
  readonly templates: TemplateCatalog;
}

/** Builds the service; adapters receive it as a MemeService, main.ts and web/ use the CoreMemeService extras. */
export function createMemeService(deps: MemeServiceDeps): CoreMemeService {
  return new MemeServiceCore(deps);
}

class MemeServiceCore implements CoreMemeService {
  readonly metrics: ServiceMetrics;
  readonly templates: TemplateCatalog;
  readonly #config: Config;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #backend: MemeJobBackend;
  readonly #cache: ResultCache;
  /** Recent requests by job id, so reroll and "same again as MP4" re-render without a re-upload (never on disk). */
  readonly #recent: BoundedCache<string, MemeRequest>;
  readonly #uploads: UploadStore;
  readonly #inspector: InputInspector | undefined;
  readonly #channels = new Set<ReplierChannel>();
  readonly #shared = new SharedJobs();
  readonly #upgrades: PreviewUpgrades;
  readonly #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: MemeServiceDeps) {
    this.#config = deps.config;
    this.templates = deps.templates;
    this.#log = deps.logger ?? silentLogger;
    this.#now = deps.now ?? Date.now;
    this.#uploads = new UploadStore(deps.config.dataDir, deps.config.retention.uploadHours);
    this.#inspector = deps.inspector ?? deps.renderer?.inspector;
    if (!deps.backend && !deps.renderer) throw new TypeError('createMemeService needs a renderer or a backend');
    this.#backend =
      deps.backend ?? createLocalBackend(deps.queue ?? createQueueFromConfig(deps.config, this.#now, this.#log), deps.renderer!, this.#uploads);
    this.metrics = createServiceMetrics(() => this.#backend.stats());
    this.#backend.registerMetrics?.(this.metrics.registry);
    this.#cache = new ResultCache({ maxBytes: deps.config.cache.maxBytes, ttlMs: deps.config.cache.ttlMs, now: this.#now });
    this.#recent = boundedCache({ maxEntries: 500, maxBytes: 256 * 1024 * 1024, bytesOf: requestBytes, ttlMs: 3600_000, now: this.#now });
    this.#upgrades = new PreviewUpgrades(
      {
        submit: (request, replier, options) => this.#submit(request, replier, options?.companion ?? false),
        cancel: (jobId) => this.cancel(jobId),
        reroute: async (jobId, route) => this.#backend.reroute?.(jobId, route),
      },
      this.#log,
    );
    if (this.#uploads.retaining) {
      this.#sweepTimer = setInterval(() => void this.#uploads.sweep().catch(() => undefined), 3600_000);
      this.#sweepTimer.unref();
    }
  }

  get limits(): InputLimits {
    return this.#config.limits;
  }

  async inspect(inputs: InputsToCheck): Promise<CheckedInputs> {
    const limits = this.#config.limits;
    if (inputs.photo !== undefined) checkPhotoBytes(inputs.photo, limits);
    const clipExt = inputs.clip ? checkClipBytes(inputs.clip, limits) : undefined;
    const checked: CheckedInputs = {};
    if (inputs.photo && this.#inspector) checked.photo = await this.#inspector.photo(inputs.photo);
    if (inputs.clip && clipExt && this.#inspector) {
      // ffmpeg reads clips by path: stage it for the probe only.
      const staged = await this.#uploads.stageClip(`check-${randomUUID()}`, inputs.clip, clipExt);
      try {
        checked.clip = await this.#inspector.clip(staged.path);
      } finally {
        await staged.release();
      }
    }
    return checked;
  }

  submit(request: MemeRequest, replier: Replier): Promise<JobRef> {
    return this.#submit(request, replier, false);
  }

  /** `companion`: the preview job of a previewed request, admitted with its HD job (bots/upgrade/). */
  async #submit(request: MemeRequest, replier: Replier, companion: boolean): Promise<JobRef> {
    try {
      if (this.#closed) throw new MemeError('SHUTTING_DOWN', 'the service is shutting down');
      const kinds = checkRequest(request, this.#config.limits);
      const template = request.templateId ? this.templates.get(request.templateId) : undefined;
      const style = request.style === undefined ? undefined : stylePreset(request.style).id;
      const engine = this.#resolveEngine(request, style);
      const normalized: MemeRequest = { ...request, engine, seed: request.seed ?? DEFAULT_SEED, face: request.face ?? DEFAULT_FACE_CHOICE, ...(style ? { style } : {}) };
      const captions = captionsFor(template, request);
      const spec: MemeSpec = {
        photo: request.photo,
        templateId: request.templateId,
        captions,
        format: request.format,
        maxBytes: request.maxBytes,
        fit: request.fit,
        engine,
        seed: normalized.seed,
        style,
        face: normalized.face,
      };
      const key = cacheKey({
        photo: request.photo,
        template: request.templateId,
        driver: request.driver?.bytes,
        engine,
        format: request.format,
        maxBytes: request.maxBytes,
        fit: request.fit && JSON.stringify(request.fit),
        captions: JSON.stringify(captions),
        seed: normalized.seed,
        style,
        face: String(normalized.face),
      });
      const cached = this.#cache.get(key);
      if (cached) return this.#deliverCached(normalized, cached, replier);
      const context = { enabled: this.#config.previewUpgrade, wanted: request.engine ?? this.#config.engine, decided: engine, auto: this.#backend.autoEngine, engines: this.#backend.engines };
      // Remembered as asked (engine auto), so "Another take" previews again.
      if (previewFirst(request, context, replier)) return await this.#previewFirst({ ...request, seed: normalized.seed }, replier);
      // Only in-process jobs are shared: a restart re-attaches remote jobs from the one route saved with each,
      // so someone who had joined another person's remote job would never hear back.
      // The same person asking again joins too: the second ask is answered, at no cost to their queue cap.
      const running = this.#backend.kind === 'local' ? this.#shared.joinable(key) : undefined;
      if (running) return this.#join(running, normalized, replier);
      return await this.#enqueue(normalized, spec, kinds.clipExt, key, replier, companion);
    } catch (error) {
      const memeError = toMemeError(error);
      this.metrics.outcomes.inc({ outcome: 'refused' });
      this.metrics.failures.inc({ code: memeError.code });
      this.#log.info('request refused', { userId: request.userId, platform: request.platform, code: memeError.code });
      throw memeError;
    }
  }

  async rerender(jobId: string, changes: RenderChanges, replier: Replier): Promise<JobRef> {
    const previous = this.#recent.get(jobId);
    if (!previous) throw new MemeError('UNKNOWN_JOB', `no recent job ${jobId}`, { jobId });
    return this.submit({ ...previous, ...changes }, replier);
  }

  reroll(jobId: string, replier: Replier): Promise<JobRef> {
    return this.rerender(jobId, { seed: randomInt(1, 2 ** 31 - 1) }, replier);
  }

  cancel(jobId: string): boolean {
    // A previewed request: both its jobs stop, or, once its preview is in the chat, the preview is kept.
    if (this.#upgrades.has(jobId)) return this.#upgrades.cancel(jobId);
    const job = this.#shared.bySubscriber(jobId);
    if (!job) return this.#backend.cancel(jobId);
    if (job.subscribers.length === 1) {
      // The last one waiting: stop the render itself; its CANCELLED failure reaches this subscriber.
      this.#shared.closeToJoiners(job);
      return this.#backend.cancel(job.backendJobId);
    }
    const leaving = this.#shared.detach(jobId);
    if (leaving) {
      void leaving.channel.send('fail', { jobId, ...errorText(new MemeError('CANCELLED', 'cancelled by the requester'), leaving.language) });
      this.#closeChannel(leaving.channel);
    }
    return true;
  }

  keepPreview(jobId: string): boolean {
    return this.#upgrades.keep(jobId);
  }

  cancelForUser(userId: string): boolean {
    const waiting = this.#shared.subscriptionsOf(userId);
    if (waiting.length === 0) return this.#backend.cancelForUser(userId);
    return waiting.map((jobId) => this.cancel(jobId)).some(Boolean);
  }

  get backendKind(): MemeJobBackend['kind'] {
    return this.#backend.kind;
  }

  stats(): ServiceStats {
    return {
      queue: this.#backend.stats(),
      cache: { entries: this.#cache.size, bytes: this.#cache.bytes },
      engines: [...this.#backend.engines],
      ...(this.#backend.styles ? { styles: [...this.#backend.styles] } : {}),
    };
  }

  async resume(factories: Partial<Record<string, ReplierFactory>>): Promise<number> {
    const jobs = (await this.#backend.resume?.()) ?? [];
    // A previewed request's two jobs, both still pending, are paired again over one adapter Replier.
    const previews = new Map(jobs.filter((j) => j.route.previewOf !== undefined).map((j) => [j.route.previewOf!, j]));
    const repliers = new Map<ResumedJob, Replier>();
    const factoryFor = (job: ResumedJob) => {
      const factory = factories[job.route.platform];
      if (!factory) this.#log.warn('pending job has no way back to its requester on this process', { jobId: job.jobId, platform: job.route.platform });
      return factory;
    };
    for (const hd of jobs.filter((j) => j.route.upgradeOf !== undefined)) {
      const requestId = hd.route.upgradeOf!;
      const factory = factoryFor(hd);
      if (!factory) continue;
      const preview = previews.get(requestId);
      previews.delete(requestId);
      // The preview was shown and recorded, only not yet acknowledged: it is not shown twice.
      if (preview && hd.route.previewShown) repliers.set(preview, ALREADY_ANSWERED);
      const pair = preview && !hd.route.previewShown && preview && this.#upgrades.resumedPair(requestId, { previewJobId: preview.jobId, hdJobId: hd.jobId }, factory(preview.route, requestId), hd.route.platform);
      if (preview && pair) {
        repliers.set(preview, pair.preview);
        repliers.set(hd, pair.hd);
        continue;
      }
      if (preview && !repliers.has(preview)) repliers.set(preview, factory(preview.route, requestId));
      // The HD job alone replaces the preview its route names, wherever that was sent from.
      repliers.set(hd, this.#upgrades.resumed(requestId, hd.jobId, factory(hd.route, hd.jobId), hd.route.platform));
    }
    for (const job of jobs) {
      if (repliers.has(job) || job.route.upgradeOf !== undefined) continue;
      const factory = factoryFor(job);
      // A preview whose HD job is gone is delivered as the result it is.
      if (factory) repliers.set(job, factory(job.route, job.route.previewOf ?? job.jobId));
    }
    for (const [job, replier] of repliers) {
      const shared = new SharedJob(job.jobId, undefined);
      shared.add({ jobId: job.jobId, userId: job.userId, language: job.language, channel: this.#openChannel(replier) });
      this.#shared.track(shared);
      job.listen((event) => shared.forward(toUpdate(event)));
      this.#finish(shared, job.userId, job.done);
      this.#log.info('re-attached to a pending job', { jobId: job.jobId, userId: job.userId, platform: job.route.platform });
    }
    return jobs.length;
  }

  /** Stops admitting; queued users are told SHUTTING_DOWN, running jobs get graceMs; resolves when all replies went out. */
  async shutdown(graceMs = this.#config.queue.shutdownGraceMs): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#backend.shutdown(graceMs);
    await Promise.all([...this.#channels].map((c) => c.drained()));
  }

  #resolveEngine(request: MemeRequest, style: string | undefined): EngineName {
    const wanted = request.engine ?? this.#config.engine;
    const available = this.#backend.engines;
    // auto is decided once, by the renderer (pipeline/engines/auto-engine.ts): HelloMeme needs its models and a GPU.
    // A style is a HelloMeme LoRA, so a styled full-quality meme asks for hellomeme wherever it is available.
    const auto = () => (request.priority === 'preview' ? 'warp' : style && available.includes('hellomeme') ? 'hellomeme' : this.#backend.autoEngine);
    const engine = wanted === 'auto' ? auto() : wanted;
    if (!available.includes(engine)) throw new MemeError('ENGINE_UNAVAILABLE', `engine ${engine} is not available`, { engine });
    if (style) checkStyle(style, engine, request.priority, this.#backend.styles);
    return engine;
  }

  /** The two stages (bots/upgrade/), each an ordinary request; the request id is the preview job's. */
  async #previewFirst(request: MemeRequest, replier: UpgradingReplier): Promise<JobRef> {
    const ref = await this.#upgrades.start(request, replier);
    this.#recent.set(ref.jobId, request);
    return ref;
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
    this.#recent.set(jobId, request);
    this.metrics.cacheHits.inc();
    this.metrics.outcomes.inc({ outcome: 'cached' });
    this.#log.info('job served from cache', { jobId, userId: request.userId, platform: request.platform });
    const channel = this.#openChannel(replier);
    void channel.send('deliver', result, { jobId });
    this.#closeChannel(channel);
    return { jobId };
  }

  /** Adds a requester to a render already under way for the same request. */
  #join(job: SharedJob, request: MemeRequest, replier: Replier): JobRef {
    const jobId = randomUUID();
    const channel = this.#openChannel(replier);
    const latest = job.latest;
    void channel.send('queued', { jobId, position: latest?.position, etaSec: latest?.etaSec });
    if (latest?.stage !== undefined) void channel.send('progress', { ...latest, jobId });
    this.#shared.join(job, { jobId, userId: request.userId, language: request.language, channel });
    this.#recent.set(jobId, request);
    this.#retain(jobId, request);
    this.metrics.outcomes.inc({ outcome: 'joined' });
    this.#log.info('job joined a render in flight', { jobId, render: job.backendJobId, userId: request.userId, platform: request.platform });
    return { jobId };
  }

  async #enqueue(request: MemeRequest, spec: MemeSpec, clipExt: string | undefined, key: string, replier: RoutableReplier, companion: boolean): Promise<JobRef> {
    const channel = this.#openChannel(replier);
    let shared: SharedJob | undefined;
    let first: ProgressUpdate | undefined;
    const onEvent = (event: JobEvent) => {
      const update = toUpdate(event);
      // Events raised while submit is still running are folded into the first acknowledgement.
      if (shared === undefined) first = event.type === 'queued' ? update : { ...first, ...update };
      else shared.forward(update);
    };
    let handle: JobHandle<MemeResult>;
    try {
      const submitted = this.#backend.submit({
        userId: request.userId,
        language: request.language,
        engine: spec.engine as EngineName,
        priority: request.priority ?? 'full',
        spec,
        driver: request.driver ? { bytes: request.driver.bytes, ext: clipExt ?? 'mp4' } : undefined,
        route: replier.route ?? { platform: request.platform },
        ...(companion ? { companion } : {}),
        onEvent,
      });
      // The embedded queue answers synchronously, so its first events fold into the acknowledgement as before.
      handle = submitted instanceof Promise ? await submitted : submitted;
    } catch (error) {
      this.#closeChannel(channel);
      throw error;
    }
    const jobId = handle.id;
    void channel.send('queued', { jobId, position: first?.position, etaSec: first?.etaSec });
    const job = new SharedJob(jobId, key);
    job.add({ jobId, userId: request.userId, language: request.language, channel });
    this.#shared.track(job);
    shared = job;
    // The acknowledgement already told the position; a start that happened during submit is news.
    if (first?.stage !== undefined) job.forward({ ...first, jobId });
    else if (first !== undefined) job.note({ ...first, jobId });
    this.#recent.set(jobId, request);
    this.#finish(job, request.userId, handle.done);
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

  /** Delivers the render's result (or failure) to everyone still waiting for it, then acknowledges it once. */
  #finish(job: SharedJob, userId: string, outcome: Promise<MemeResult>): void {
    const submittedMs = this.#now();
    const jobId = job.backendJobId;
    const tellEveryone = (send: (s: Subscriber) => Promise<void>) => {
      const waiting = job.subscribers;
      this.#shared.settle(job);
      void Promise.all(waiting.map(send)).then(() => this.#acknowledge(jobId));
      for (const s of waiting) this.#closeChannel(s.channel);
    };
    outcome.then(
      (result) => {
        if (job.key) this.#cache.set(job.key, result);
        for (const [stage, ms] of Object.entries(result.stageMs)) {
          this.metrics.jobDuration.observe({ engine: result.engine, stage }, (ms ?? 0) / 1000);
        }
        // "total" is from acceptance to result, so it includes the wait in the queue.
        this.metrics.jobDuration.observe({ engine: result.engine, stage: 'total' }, (this.#now() - submittedMs) / 1000);
        this.metrics.outcomes.inc({ outcome: 'delivered' });
        this.#log.info('job done', { jobId, engine: result.engine, bytes: result.bytes.length, stageMs: result.stageMs });
        tellEveryone((s) => s.channel.send('deliver', result, { jobId: s.jobId }));
      },
      (error: unknown) => {
        const { code } = toMemeError(error);
        this.metrics.failures.inc({ code });
        this.metrics.outcomes.inc({ outcome: 'failed' });
        // Failures someone running Memeloom must act on (or a bug of ours) are errors; the rest is the job's answer.
        const kind = errorKind(code);
        this.#log[kind === 'operator' || kind === 'bug' ? 'error' : 'info']('job failed', { jobId, userId, code, kind, error });
        tellEveryone((s) => s.channel.send('fail', { jobId: s.jobId, ...errorText(error, s.language) }));
      },
    );
  }

  #acknowledge(jobId: string): Promise<void> | undefined {
    return this.#backend.acknowledge?.(jobId).catch((error) => this.#log.warn('could not acknowledge a delivered job', { jobId, error }));
  }

  #retain(jobId: string, request: MemeRequest): void {
    if (!this.#uploads.retaining) return;
    const files = [{ name: 'photo', bytes: request.photo }];
    if (request.driver) files.push({ name: 'clip', bytes: request.driver.bytes });
    void this.#uploads.retain(jobId, files).catch((error) => this.#log.warn('could not retain uploads', { jobId, error }));
  }
}

/** For a job whose answer is already in the chat: it is only settled and acknowledged. */
const ALREADY_ANSWERED: Replier = {
  queued: () => undefined,
  progress: () => undefined,
  deliver: async () => undefined,
  fail: async () => undefined,
};

function requestBytes(request: MemeRequest): number {
  return request.photo.length + (request.driver?.bytes.length ?? 0);
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
