// The playground's side of the Replier: one replier for all web jobs, routing each call by job id into an
// event log that Server-Sent Events streams replay, plus the finished result for download. Bounded in memory.
// Progress is paced like every platform's statuses (bots/pacing/), with the playground's limits below. A previewed
// request (bots/upgrade/) streams `preview` (the warp result, not final), `hd` (its HD job's place and progress),
// then `done`: the HelloMeme result in its place, or the preview kept with a note.
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { hdStatusText, message, previewKeptText, progressText } from '../messages.ts';
import { type ChatRef, PacedOutbox } from '../pacing/paced-outbox.ts';
import type { PaceLimits } from '../pacing/pace-rule.ts';
import type { JobFailure, JobRef, PreviewKept, ProgressUpdate, UpgradingReplier } from '../service-types.ts';

/**
 * An event costs the page nothing to receive, but one per rendered frame only churns its log and its DOM:
 * a few a second move the bar smoothly. The result overtakes a progress event still waiting.
 */
const WEB_PACE: PaceLimits = { chatGapMs: 0, statusGapMs: 250, waitingGapMs: 1000, gatherMs: 0 };
const PROGRESS = 'progress';
const HD = 'hd';

type WebEventName = 'queued' | 'progress' | 'preview' | 'hd' | 'done' | 'failed';
interface WebEvent {
  event: WebEventName;
  data: Record<string, unknown>;
}

interface WebJob {
  events: WebEvent[];
  listeners: Set<(event: WebEvent) => void>;
  result?: MemeResult;
  createdAtMs: number;
  /** The newest progress, pushed when its paced turn comes. */
  latest?: ProgressUpdate;
  /** The newest news of the HD job of a previewed request, likewise. */
  latestHd?: ProgressUpdate;
}

const MAX_JOBS = 200;
const MAX_AGE_MS = 3600_000;

export class WebJobHub {
  #jobs = new Map<string, WebJob>();
  readonly #outbox = new PacedOutbox({ retryAfterMs: () => undefined, maxRetries: 0 });

  /** The Replier the web server hands to the service for every playground request. */
  readonly replier: UpgradingReplier = {
    queued: (update: ProgressUpdate) => this.#push(update.jobId, 'queued', { ...update, text: progressText(update) }),
    progress: (update: ProgressUpdate) => this.#progress(update),
    deliver: async (result: MemeResult, job: JobRef) => {
      await this.#outbox.quiet(this.#lane(job.jobId), PROGRESS);
      this.#job(job.jobId).result = result;
      this.#push(job.jobId, 'done', { ...describe(result, job.jobId, 'result'), text: message('done') });
    },
    fail: async (failure: JobFailure) => {
      await this.#outbox.quiet(this.#lane(failure.jobId), PROGRESS);
      this.#push(failure.jobId, 'failed', { ...failure });
    },
    deliverPreview: async (result: MemeResult, job: JobRef) => {
      await this.#outbox.quiet(this.#lane(job.jobId), PROGRESS);
      this.#job(job.jobId).result = result;
      this.#push(job.jobId, 'preview', { ...describe(result, job.jobId, 'preview'), text: hdStatusText(undefined) });
    },
    hdProgress: (update: ProgressUpdate) => this.#hdProgress(update),
    upgrade: async (result: MemeResult, job: JobRef) => {
      await this.#outbox.quiet(this.#lane(job.jobId), HD);
      this.#job(job.jobId).result = result;
      this.#push(job.jobId, 'done', { ...describe(result, job.jobId, 'hd'), upgraded: true, text: message('done') });
    },
    keepPreview: async (outcome: PreviewKept) => {
      await this.#outbox.quiet(this.#lane(outcome.jobId), HD);
      const preview = this.#job(outcome.jobId).result;
      const shown = preview ? describe(preview, outcome.jobId, 'preview') : { jobId: outcome.jobId };
      this.#push(outcome.jobId, 'done', { ...shown, kept: true, note: previewKeptText(outcome), text: message('done') });
    },
  };

  /** Replays what happened so far, then streams; returns an unsubscribe function. */
  subscribe(jobId: string, listener: (event: WebEvent) => void): () => void {
    const job = this.#job(jobId);
    for (const event of job.events) listener(event);
    job.listeners.add(listener);
    return () => void job.listeners.delete(listener);
  }

  result(jobId: string): MemeResult | undefined {
    return this.#jobs.get(jobId)?.result;
  }

  isOver(jobId: string): boolean {
    return this.#jobs.get(jobId)?.events.some((e) => e.event === 'done' || e.event === 'failed') ?? false;
  }

  #progress(update: ProgressUpdate): void {
    const job = this.#job(update.jobId);
    if (this.isOver(update.jobId)) return;
    job.latest = update;
    const show = async () => {
      const latest = job.latest;
      if (!latest || this.isOver(update.jobId)) return false;
      job.latest = undefined;
      this.#push(update.jobId, 'progress', { ...latest, text: progressText(latest) });
      return true;
    };
    void this.#outbox.status(this.#lane(update.jobId), PROGRESS, show, () => (job.latest?.stage === undefined ? 'waiting' : 'progress'));
  }

  #hdProgress(update: ProgressUpdate): void {
    const job = this.#job(update.jobId);
    if (this.isOver(update.jobId)) return;
    job.latestHd = update;
    const show = async () => {
      const latest = job.latestHd;
      if (!latest || this.isOver(update.jobId)) return false;
      job.latestHd = undefined;
      this.#push(update.jobId, 'hd', { ...latest, text: hdStatusText(latest) });
      return true;
    };
    void this.#outbox.status(this.#lane(update.jobId), HD, show, () => (job.latestHd?.stage === undefined ? 'waiting' : 'progress'));
  }

  #lane(jobId: string): ChatRef {
    return { key: jobId, limits: WEB_PACE };
  }

  #push(jobId: string, event: WebEventName, data: Record<string, unknown>): void {
    const job = this.#job(jobId);
    const record = { event, data };
    job.events.push(record);
    for (const listener of job.listeners) listener(record);
  }

  #job(jobId: string): WebJob {
    let job = this.#jobs.get(jobId);
    if (!job) {
      job = { events: [], listeners: new Set(), createdAtMs: Date.now() };
      this.#jobs.set(jobId, job);
      this.#prune();
    }
    return job;
  }

  #prune(): void {
    this.#outbox.prune();
    const now = Date.now();
    for (const [id, job] of this.#jobs) {
      const tooMany = this.#jobs.size > MAX_JOBS;
      if (!tooMany && now - job.createdAtMs < MAX_AGE_MS) break;
      if (job.listeners.size === 0) this.#jobs.delete(id);
    }
  }
}

/** What the page needs of a result; `version` makes the URL of an upgraded result differ from its preview's. */
function describe(result: MemeResult, jobId: string, version: 'result' | 'preview' | 'hd'): Record<string, unknown> {
  return {
    jobId,
    format: result.format,
    mime: result.mime,
    width: result.width,
    height: result.height,
    bytes: result.bytes.length,
    engine: result.engine,
    notes: result.notes ?? [],
    url: version === 'result' ? `/api/jobs/${jobId}/result` : `/api/jobs/${jobId}/result?v=${version}`,
  };
}
