// Identical requests in flight share one render: the second person to ask for the same photo, template, options
// and seed while the first render runs joins it instead of queueing a copy (a group chat where everyone taps the
// same template). Each requester keeps their own job id and Replier (whose platform paces what they see);
// cancelling detaches only that requester, and the render itself stops only when nobody is left waiting for it.
// No I/O here.
import type { ReplierChannel } from './replier-channel.ts';
import type { ProgressUpdate } from './service-types.ts';

/** One person waiting for a shared render. */
export interface Subscriber {
  /** The id this person knows the job by (the backend's id for whoever asked first). */
  readonly jobId: string;
  readonly userId: string;
  /** Their language tag, for the failure text they read. */
  readonly language?: string;
  readonly channel: ReplierChannel;
}

/** One render in the backend and everyone waiting for it. */
export class SharedJob {
  readonly #subscribers = new Map<string, Subscriber>();
  #latest: ProgressUpdate | undefined;

  constructor(
    /** The backend's id for the render; cancelling it stops the work. */
    readonly backendJobId: string,
    /** The result-cache key, when the render may be shared. */
    readonly key: string | undefined,
  ) {}

  add(subscriber: Subscriber): void {
    this.#subscribers.set(subscriber.jobId, subscriber);
  }

  subscriber(jobId: string): Subscriber | undefined {
    return this.#subscribers.get(jobId);
  }

  remove(jobId: string): Subscriber | undefined {
    const subscriber = this.#subscribers.get(jobId);
    this.#subscribers.delete(jobId);
    return subscriber;
  }

  get subscribers(): Subscriber[] {
    return [...this.#subscribers.values()];
  }

  /** The newest queue position or stage, for someone joining late. */
  get latest(): ProgressUpdate | undefined {
    return this.#latest;
  }

  /** Remembers an update everyone has already been told (for someone joining later). */
  note(update: ProgressUpdate): void {
    this.#latest = update;
  }

  /**
   * Passes every update to everyone under their own job id. No update is dropped here: each platform's pacing
   * (bots/pacing/) shows the newest one when its limits allow, so the last word is never lost to a throttle.
   */
  forward(update: ProgressUpdate): void {
    this.#latest = update;
    for (const s of this.#subscribers.values()) void s.channel.send('progress', { ...update, jobId: s.jobId });
  }
}

/** The shared renders now in flight, found by result-cache key or by any subscriber's job id. */
export class SharedJobs {
  readonly #byKey = new Map<string, SharedJob>();
  readonly #bySubscriber = new Map<string, SharedJob>();

  /** Tracks `job` (by key, when it has one) and its current subscribers. */
  track(job: SharedJob): void {
    if (job.key !== undefined) this.#byKey.set(job.key, job);
    for (const s of job.subscribers) this.#bySubscriber.set(s.jobId, job);
  }

  join(job: SharedJob, subscriber: Subscriber): void {
    job.add(subscriber);
    this.#bySubscriber.set(subscriber.jobId, job);
  }

  /** The render a new request with this key can join. */
  joinable(key: string): SharedJob | undefined {
    return this.#byKey.get(key);
  }

  bySubscriber(jobId: string): SharedJob | undefined {
    return this.#bySubscriber.get(jobId);
  }

  /** The job ids under which `userId` waits for shared renders. */
  subscriptionsOf(userId: string): string[] {
    return [...this.#bySubscriber].filter(([id, job]) => job.subscriber(id)?.userId === userId).map(([id]) => id);
  }

  /** Takes one subscriber off its render (it will hear nothing more from it). */
  detach(jobId: string): Subscriber | undefined {
    const job = this.#bySubscriber.get(jobId);
    this.#bySubscriber.delete(jobId);
    return job?.remove(jobId);
  }

  /** Stops new requests from joining `job` (it is being cancelled). */
  closeToJoiners(job: SharedJob): void {
    if (job.key !== undefined && this.#byKey.get(job.key) === job) this.#byKey.delete(job.key);
  }

  /** Forgets a finished render: no one can join it any more. */
  settle(job: SharedJob): void {
    this.closeToJoiners(job);
    for (const s of job.subscribers) this.#bySubscriber.delete(s.jobId);
  }
}
