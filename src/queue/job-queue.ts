// The in-process scheduler: one p-queue per lane (concurrency = devices x per-device), fair ordering, admission
// (pending cap, a per-user cap of queued plus running jobs, hourly/daily caps), per-job abort with timeout,
// progress, ETA, shutdown. A user's extra jobs wait behind their first; round-robin keeps other users ahead of them.
// It runs opaque functions; it must not know about photos, templates or platforms.
import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { MemeError, toMemeError } from '../errors.ts';
import { FairQueue, type FairQueueOptions } from './fair-queue.ts';
import { MovingAverage } from './moving-average.ts';
import type { JobEvent, JobHandle, JobQueueOptions, JobSpec, LaneOptions, QueueStats } from './queue-types.ts';
import { RateLimiter } from './rate-limiter.ts';

const HOUR_MS = 3600_000;
const PRIORITY_RANK = { preview: 1, full: 0 } as const;

interface Lane {
  options: LaneOptions;
  fair: FairQueue;
  pqueue: PQueue<FairQueue, FairQueueOptions>;
  average: MovingAverage;
  deviceLoad: number[];
  queued: Map<string, JobState>;
}

interface JobState {
  id: string;
  spec: JobSpec<unknown>;
  lane: Lane;
  status: 'queued' | 'running';
  settled: boolean;
  /** Aborts the job while it waits (p-queue drops it); never fired once running, or p-queue frees the slot early. */
  queueAbort: AbortController;
  /** Handed to the running work. */
  workAbort: AbortController;
  startedAtMs: number;
  position: number;
  resolve(value: unknown): void;
  reject(error: MemeError): void;
  /** Settles when the work has really stopped (the slot is free). */
  finished?: Promise<void>;
}

export class JobQueue {
  readonly #options: Required<Omit<JobQueueOptions, 'onAbandoned'>> & Pick<JobQueueOptions, 'onAbandoned'>;
  readonly #lanes = new Map<string, Lane>();
  readonly #jobs = new Map<string, JobState>();
  readonly #activePerUser = new Map<string, number>();
  readonly #rate: RateLimiter;
  #accepting = true;

  constructor(options: JobQueueOptions) {
    this.#options = { abandonAfterMs: 30_000, etaWindow: 20, now: Date.now, ...options };
    for (const lane of options.lanes) {
      const concurrency = lane.devices * lane.concurrencyPerDevice;
      if (!(concurrency >= 1)) throw new TypeError(`lane ${lane.name}: devices x concurrencyPerDevice must be >= 1, got ${concurrency}`);
      const fair = new FairQueue();
      this.#lanes.set(lane.name, {
        options: lane,
        fair,
        // p-queue constructs its storage itself; handing back our instance lets the lane read the order for positions.
        pqueue: new PQueue<FairQueue, FairQueueOptions>({ concurrency, queueClass: function bound() { return fair; } as unknown as new () => FairQueue }),
        average: new MovingAverage(this.#options.etaWindow, lane.initialJobMs),
        deviceLoad: new Array(lane.devices).fill(0),
        queued: new Map(),
      });
    }
    const { hourlyLimitPerUser, dailyLimitPerUser, now } = this.#options;
    this.#rate = new RateLimiter(
      [
        { windowMs: HOUR_MS, max: hourlyLimitPerUser },
        { windowMs: 24 * HOUR_MS, max: dailyLimitPerUser },
      ],
      now,
    );
  }

  get laneNames(): string[] {
    return [...this.#lanes.keys()];
  }

  /** Admits or throws (SHUTTING_DOWN, QUEUE_FULL, BUSY, RATE_LIMITED); the first `queued` event fires before it returns. */
  submit<T>(spec: JobSpec<T>): JobHandle<T> {
    const lane = this.#lanes.get(spec.lane);
    if (!lane) throw new MemeError('INTERNAL', `no queue lane named ${spec.lane}`);
    if (spec.companion) {
      if (!this.#accepting) throw new MemeError('SHUTTING_DOWN', 'the bot is shutting down');
    } else {
      this.#admit(spec.userId);
      this.#rate.record(spec.userId);
      this.#activePerUser.set(spec.userId, (this.#activePerUser.get(spec.userId) ?? 0) + 1);
    }

    let resolve!: (value: T) => void;
    let reject!: (error: MemeError) => void;
    const done = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => undefined); // the submitter may never await; a rejection is still reported through `done`
    const state: JobState = {
      id: randomUUID(),
      spec: spec as JobSpec<unknown>,
      lane,
      status: 'queued',
      settled: false,
      queueAbort: new AbortController(),
      workAbort: new AbortController(),
      startedAtMs: 0,
      position: 0,
      resolve: resolve as (value: unknown) => void,
      reject,
    };
    this.#jobs.set(state.id, state);
    lane.queued.set(state.id, state);
    lane.pqueue
      .add(() => this.#execute(state), {
        id: state.id,
        priority: PRIORITY_RANK[spec.priority ?? 'full'],
        userId: spec.userId,
        signal: state.queueAbort.signal,
      })
      .catch((error: unknown) => this.#settle(state, toMemeError(error)));
    // p-queue may have started it synchronously; otherwise it waits and gets a position.
    if (state.status === 'queued') this.#refreshPositions(lane, state.id);
    return { id: state.id, done, cancel: () => this.cancel(state.id) };
  }

  /** Cancels a queued job at once, or aborts a running one's signal; false when the job is unknown or over. */
  cancel(jobId: string, reason: MemeError = new MemeError('CANCELLED', 'cancelled by the user')): boolean {
    const state = this.#jobs.get(jobId);
    if (!state || state.settled) return false;
    if (state.status === 'queued') {
      state.queueAbort.abort(reason); // p-queue removes it from the FairQueue and rejects, which settles it
      this.#settle(state, reason);
      this.#refreshPositions(state.lane);
    } else {
      state.workAbort.abort(reason);
    }
    return true;
  }

  cancelForUser(userId: string): boolean {
    let any = false;
    for (const state of [...this.#jobs.values()]) {
      if (state.spec.userId === userId && !state.settled) any = this.cancel(state.id) || any;
    }
    return any;
  }

  stats(): QueueStats {
    const lanes: QueueStats['lanes'] = {};
    let pending = 0;
    let running = 0;
    for (const [name, lane] of this.#lanes) {
      const laneRunning = lane.pqueue.pending;
      lanes[name] = {
        queued: lane.fair.size,
        running: laneRunning,
        concurrency: lane.pqueue.concurrency,
        avgJobMs: Math.round(lane.average.value),
      };
      pending += lane.fair.size;
      running += laneRunning;
    }
    return { accepting: this.#accepting, pending, running, lanes };
  }

  /** Stops admitting, fails queued jobs with SHUTTING_DOWN, lets running ones finish within graceMs, then aborts them. */
  async shutdown(graceMs: number): Promise<void> {
    this.#accepting = false;
    const notice = new MemeError('SHUTTING_DOWN', 'the bot is shutting down');
    for (const state of [...this.#jobs.values()]) if (state.status === 'queued') this.cancel(state.id, notice);
    const running = () => [...this.#jobs.values()].filter((s) => s.finished).map((s) => s.finished!);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((res) => {
      timer = setTimeout(res, graceMs);
    });
    await Promise.race([Promise.all(running()), grace]);
    clearTimeout(timer);
    for (const state of this.#jobs.values()) if (!state.settled) state.workAbort.abort(notice);
    await Promise.all(running());
  }

  #admit(userId: string): void {
    if (!this.#accepting) throw new MemeError('SHUTTING_DOWN', 'the bot is shutting down');
    const { maxPending, maxActivePerUser } = this.#options;
    if ((this.#activePerUser.get(userId) ?? 0) >= maxActivePerUser) {
      throw new MemeError('BUSY', `user already has ${maxActivePerUser} job(s) queued or running`, { maxActivePerUser, max: maxActivePerUser });
    }
    const pending = this.stats().pending;
    if (pending >= maxPending) throw new MemeError('QUEUE_FULL', `queue holds ${pending} waiting jobs`, { maxPending, max: maxPending });
    const decision = this.#rate.check(userId);
    if (!decision.allowed) {
      throw new MemeError('RATE_LIMITED', 'per-user request cap reached', {
        retryAfterSec: Math.ceil(decision.retryAfterMs / 1000),
        max: decision.window?.max,
        windowSec: decision.window ? decision.window.windowMs / 1000 : undefined,
      });
    }
  }

  /** p-queue's task: runs the work on a device slot and resolves only when the work has stopped. */
  async #execute(state: JobState): Promise<void> {
    const { lane } = state;
    let finish!: () => void;
    state.finished = new Promise<void>((res) => {
      finish = res;
    });
    state.status = 'running';
    state.startedAtMs = this.#options.now();
    lane.queued.delete(state.id);
    const deviceIndex = lane.deviceLoad.indexOf(Math.min(...lane.deviceLoad));
    lane.deviceLoad[deviceIndex]++;
    this.#emit(state, { type: 'started', jobId: state.id, deviceIndex, etaSec: this.#runningEtaSec(state, 0) });
    this.#refreshPositions(lane);

    const signal = state.workAbort.signal;
    const timeoutMs = state.spec.timeoutMs ?? lane.options.timeoutMs;
    const timer = setTimeout(() => state.workAbort.abort(new MemeError('TIMEOUT', `job ran over ${timeoutMs} ms`)), timeoutMs);
    // The user hears about a cancel or timeout at once; the slot stays taken until the work notices.
    const onAbort = () => this.#settle(state, toMemeError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    const report = (progress: { stage: string; fraction: number }) => {
      if (state.settled) return;
      const fraction = Math.min(1, Math.max(0, progress.fraction));
      const etaSec = this.#runningEtaSec(state, fraction);
      this.#emit(state, { type: 'progress', jobId: state.id, stage: progress.stage, fraction, etaSec });
    };
    try {
      const work = Promise.resolve().then(() => state.spec.run({ jobId: state.id, signal, deviceIndex, report }));
      const value = await this.#untilStoppedOrAbandoned(state, work);
      if (!signal.aborted) lane.average.push(this.#options.now() - state.startedAtMs);
      this.#settle(state, undefined, value);
    } catch (error) {
      this.#settle(state, signal.aborted ? toMemeError(signal.reason) : toMemeError(error));
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      lane.deviceLoad[deviceIndex]--;
      this.#jobs.delete(state.id);
      finish();
    }
  }

  /** Awaits the work; after an abort, gives up waiting past abandonAfterMs so one stuck job cannot hold a lane forever. */
  async #untilStoppedOrAbandoned(state: JobState, work: Promise<unknown>): Promise<unknown> {
    const signal = state.workAbort.signal;
    let timer: NodeJS.Timeout | undefined;
    const abandoned = new Promise<never>((_, rej) => {
      const arm = () => {
        timer = setTimeout(() => {
          this.#options.onAbandoned?.(state.id, state.lane.options.name);
          rej(toMemeError(signal.reason));
        }, this.#options.abandonAfterMs);
      };
      if (signal.aborted) arm();
      else signal.addEventListener('abort', arm, { once: true });
    });
    abandoned.catch(() => undefined);
    try {
      return await Promise.race([work, abandoned]);
    } finally {
      clearTimeout(timer);
    }
  }

  #settle(state: JobState, error: MemeError | undefined, value?: unknown): void {
    if (state.settled) return;
    state.settled = true;
    state.lane.queued.delete(state.id);
    if (state.status === 'queued') this.#jobs.delete(state.id);
    const userId = state.spec.userId;
    if (!state.spec.companion) {
      const active = (this.#activePerUser.get(userId) ?? 1) - 1;
      if (active <= 0) this.#activePerUser.delete(userId);
      else this.#activePerUser.set(userId, active);
    }
    if (error) state.reject(error);
    else state.resolve(value);
  }

  #refreshPositions(lane: Lane, newJobId?: string): void {
    const order = lane.fair.orderedIds();
    const concurrency = lane.pqueue.concurrency;
    const averageMs = lane.average.value;
    order.forEach((id, index) => {
      const state = lane.queued.get(id);
      const position = index + 1;
      if (!state || state.position === position) return;
      state.position = position;
      // Slots free about every average/concurrency; then the job itself takes one average.
      const etaSec = Math.round(((position / concurrency) * averageMs + averageMs) / 1000);
      const type = id === newJobId ? 'queued' : 'position';
      this.#emit(state, { type, jobId: id, position, etaSec });
    });
  }

  #runningEtaSec(state: JobState, fraction: number): number {
    const elapsedMs = this.#options.now() - state.startedAtMs;
    // Early fractions are noisy (model loading), so trust the lane average until a tenth is done.
    const remainingMs = fraction >= 0.1 ? (elapsedMs * (1 - fraction)) / fraction : Math.max(0, state.lane.average.value - elapsedMs);
    return Math.round(remainingMs / 1000);
  }

  #emit(state: JobState, event: JobEvent): void {
    try {
      state.spec.onEvent?.(event);
    } catch {
      // A listener's bug must not break scheduling; the service logs its own failures.
    }
  }
}
