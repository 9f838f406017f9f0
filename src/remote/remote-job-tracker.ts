// The bot process's view of its own remote jobs: routes BullMQ QueueEvents (active, progress, completed, failed)
// by job id to the submitter's listener, settles each job exactly once, refreshes queue positions, and re-reads
// job state from Redis on a timer, so an event missed during a Redis outage or a restart still ends the job.
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { MemeError } from '../errors.ts';
import type { EngineName, MemeResult } from '../pipeline/meme-spec.ts';
import { MovingAverage } from '../queue/moving-average.ts';
import type { JobEvent, JobHandle } from '../queue/queue-types.ts';
import type { BlobStore } from './blob-store.ts';
import { decodeFailure, type RemoteJobResult, type RemoteProgress } from './job-payload.ts';

const TICK_MS = 1000;
/** State re-reads are rarer than position updates: events normally end jobs, this only catches misses. */
const RECONCILE_EVERY_TICKS = 4;
/** Positions are read for the first this-many waiting jobs of an engine; later ones keep their last position. */
const MAX_POSITION_SCAN = 1000;
const INITIAL_JOB_MS: Record<EngineName, number> = { warp: 3000, hellomeme: 60_000 };

interface TrackedJob {
  jobId: string;
  userId: string;
  engine: EngineName;
  onEvent: (event: JobEvent) => void;
  settled: boolean;
  startedAtMs?: number;
  position?: number;
  /** Result blobs to delete once the requester has it. */
  blobs: string[];
  resolve(result: MemeResult): void;
  reject(error: MemeError): void;
}

type Outcome = { remote: RemoteJobResult } | { error: MemeError };

interface TrackerDeps {
  queues: Map<EngineName, Queue>;
  events: Map<EngineName, QueueEvents>;
  blobs: BlobStore;
  /** For reading BullMQ's priority set (queue positions). */
  redis: Redis;
  log: Logger;
  workersOf(engine: EngineName): number;
  onSettled(job: TrackedJob): void;
}

export class RemoteJobTracker {
  readonly #deps: TrackerDeps;
  readonly #jobs = new Map<string, TrackedJob>();
  readonly #average = new Map<EngineName, MovingAverage>();
  readonly #timer: NodeJS.Timeout;
  #ticks = 0;

  constructor(deps: TrackerDeps) {
    this.#deps = deps;
    for (const [engine, events] of deps.events) {
      this.#average.set(engine, new MovingAverage(20, INITIAL_JOB_MS[engine]));
      events.on('active', ({ jobId }) => this.#started(jobId));
      events.on('progress', ({ jobId, data }) => this.#progress(jobId, data as RemoteProgress));
      events.on('completed', ({ jobId, returnvalue }) => {
        const remote = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as RemoteJobResult;
        this.settle(jobId, { remote });
      });
      events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, { error: decodeFailure(failedReason) }));
    }
    this.#timer = setInterval(() => void this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  track(jobId: string, userId: string, engine: EngineName, onEvent: (event: JobEvent) => void): JobHandle<MemeResult> {
    let resolve!: (result: MemeResult) => void;
    let reject!: (error: MemeError) => void;
    const done = new Promise<MemeResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined);
    this.#jobs.set(jobId, { jobId, userId, engine, onEvent, settled: false, blobs: [], resolve, reject });
    return { id: jobId, done, cancel: () => false };
  }

  announceQueued(jobId: string, position: number): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.settled || job.startedAtMs !== undefined) return;
    job.position = position;
    this.#emit(job, { type: 'queued', jobId, position, etaSec: this.#waitEtaSec(job.engine, position) });
  }

  get(jobId: string): TrackedJob | undefined {
    return this.#jobs.get(jobId);
  }

  ofUser(userId: string): TrackedJob[] {
    return [...this.#jobs.values()].filter((j) => j.userId === userId && !j.settled);
  }

  /** Drops a settled job after its requester was answered; returns it for blob cleanup. */
  forget(jobId: string): TrackedJob | undefined {
    const job = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    return job;
  }

  averageMs(engine: EngineName): number {
    return Math.round(this.#average.get(engine)?.value ?? INITIAL_JOB_MS[engine]);
  }

  /** Ends a job once: a later duplicate (event after reconcile, or the reverse) is ignored. */
  settle(jobId: string, outcome: Outcome): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.settled) return;
    job.settled = true;
    this.#deps.onSettled(job);
    if ('error' in outcome) {
      job.reject(outcome.error);
      return;
    }
    const { resultBlob, meta } = outcome.remote;
    job.blobs.push(resultBlob);
    if (job.startedAtMs !== undefined) this.#average.get(job.engine)?.push(Date.now() - job.startedAtMs);
    this.#deps.blobs.get(resultBlob).then(
      (bytes) => job.resolve({ ...meta, bytes }),
      (error: unknown) => job.reject(error instanceof MemeError ? error : new MemeError('INTERNAL', String(error))),
    );
  }

  /** Reads the job's state from Redis and settles it if it is over; `resumed` also replays "started". */
  async reconcile(jobId: string, resumed = false): Promise<void> {
    const tracked = this.#jobs.get(jobId);
    if (!tracked || tracked.settled) return;
    const job = await this.#deps.queues.get(tracked.engine)!.getJob(jobId);
    if (!job) {
      this.settle(jobId, { error: new MemeError('UNKNOWN_JOB', `job ${jobId} is no longer in Redis`) });
      return;
    }
    const state = await job.getState();
    if (state === 'completed') this.settle(jobId, { remote: job.returnvalue as RemoteJobResult });
    else if (state === 'failed') this.settle(jobId, { error: decodeFailure(job.failedReason) });
    else if (state === 'active' && resumed) this.#started(jobId);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    try {
      await this.#refreshPositions();
      if (++this.#ticks % RECONCILE_EVERY_TICKS === 0) await this.#reconcileAll();
    } catch {
      // Redis is away; the next tick tries again
    }
  }

  /** Our waiting jobs' places in BullMQ's priority order (all bot processes' jobs count). */
  async #refreshPositions(): Promise<void> {
    for (const [engine, queue] of this.#deps.queues) {
      const waiting = [...this.#jobs.values()].filter((j) => j.engine === engine && !j.settled && j.startedAtMs === undefined);
      if (waiting.length === 0) continue;
      // BullMQ keeps jobs with a priority in this sorted set, in the order workers will take them.
      const order = await this.#deps.redis.zrange(queue.keys.prioritized, '0', String(MAX_POSITION_SCAN - 1));
      for (const job of waiting) {
        const index = order.indexOf(job.jobId);
        if (index === -1 || index + 1 === job.position || job.settled || job.startedAtMs !== undefined) continue;
        job.position = index + 1;
        this.#emit(job, { type: 'position', jobId: job.jobId, position: job.position, etaSec: this.#waitEtaSec(engine, job.position) });
      }
    }
  }

  /** Slots free about every average/workers; then the job itself takes one average. */
  #waitEtaSec(engine: EngineName, position: number): number {
    const averageMs = this.averageMs(engine);
    return Math.round(((position / Math.max(1, this.#deps.workersOf(engine))) * averageMs + averageMs) / 1000);
  }

  async #reconcileAll(): Promise<void> {
    for (const job of [...this.#jobs.values()]) {
      if (job.settled) continue;
      await this.reconcile(job.jobId);
    }
  }

  #started(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.settled) return;
    job.startedAtMs = Date.now();
    this.#emit(job, { type: 'started', jobId, deviceIndex: 0, etaSec: Math.round(this.averageMs(job.engine) / 1000) });
  }

  #progress(jobId: string, data: RemoteProgress): void {
    const job = this.#jobs.get(jobId);
    if (!job || job.settled || typeof data?.fraction !== 'number') return;
    job.startedAtMs ??= Date.now();
    const fraction = Math.min(1, Math.max(0, data.fraction));
    const elapsedMs = Date.now() - job.startedAtMs;
    const remainingMs = fraction >= 0.1 ? (elapsedMs * (1 - fraction)) / fraction : Math.max(0, this.averageMs(job.engine) - elapsedMs);
    this.#emit(job, { type: 'progress', jobId, stage: data.stage, fraction, etaSec: Math.round(remainingMs / 1000) });
  }

  #emit(job: TrackedJob, event: JobEvent): void {
    try {
      job.onEvent(event);
    } catch (error) {
      this.#deps.log.warn('job event listener failed', { jobId: job.jobId, error });
    }
  }
}
