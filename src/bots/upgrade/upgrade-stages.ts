// The Repliers of a previewed request's two stages, each over the adapter's UpgradingReplier, and the one record
// that ties them (StagePair). Both jobs are queued together, the HD job first; the HD stage holds everything it hears
// until the preview stage is over: its queue moves and progress then go to hdProgress, its result to upgrade, its
// failure or cancel to keepPreview. Both name the request by its id, whatever the backend calls each job. They
// decide nothing about the jobs; preview-upgrades.ts does.
import { errorKind } from '../../errors.ts';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { JobFailure, ProgressUpdate, RoutableReplier, UpgradingReplier } from '../service-types.ts';

type Adapter = UpgradingReplier & { route?: ReplyRoute };

/**
 * How the preview stage ended, as the HD stage reads it:
 * - `shown`: the preview went to the adapter (which knows whether it is in the chat); the HD result replaces it;
 * - `failed`: no preview; the HD stage's result (or failure) is the answer;
 * - `abandoned`: the request was cancelled, or the preview failed on the input itself; its failure was told and
 *   the HD job is cancelled, so nothing more is said.
 */
type PreviewOutcome = 'shown' | 'failed' | 'abandoned';

/** One previewed request: its id, its two jobs, and how far its preview got. */
export class StagePair {
  hdJobId?: string;
  previewJobId?: string;
  /** The HD stage's newest news, held until the preview is over. */
  heldHd?: ProgressUpdate;
  /** The HD job's outcome already came (so a failing preview must leave the answer to it). */
  hdSettled = false;
  #outcome: PreviewOutcome | undefined;
  #settle!: (outcome: PreviewOutcome) => void;
  readonly previewOver = new Promise<PreviewOutcome>((resolve) => {
    this.#settle = resolve;
  });

  constructor(
    readonly requestId: string,
    readonly platform: string,
  ) {}

  get outcome(): PreviewOutcome | undefined {
    return this.#outcome;
  }

  endPreview(outcome: PreviewOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#settle(outcome);
  }
}

interface PreviewStageHooks {
  /** The preview is in the chat: record it for the HD job (its route names the preview now). */
  shown(pair: StagePair): Promise<void>;
  /** The preview will not come and its failure is the answer: stop the HD job. */
  abandon(pair: StagePair): void;
}

/** The warp stage: a preview instead of a result; its route marks it as the preview of the request. */
export class PreviewStage implements RoutableReplier {
  constructor(
    private readonly adapter: Adapter,
    private readonly pair: StagePair,
    private readonly hooks: PreviewStageHooks,
  ) {}

  get route(): ReplyRoute {
    return { ...(this.adapter.route ?? { platform: this.pair.platform }), previewOf: this.pair.requestId };
  }

  queued(update: ProgressUpdate): Promise<void> | void {
    return this.adapter.queued({ ...update, jobId: this.pair.requestId });
  }

  progress(update: ProgressUpdate): Promise<void> | void {
    return this.adapter.progress({ ...update, jobId: this.pair.requestId });
  }

  async deliver(result: MemeResult): Promise<void> {
    try {
      await this.adapter.deliverPreview(result, { jobId: this.pair.requestId });
      await this.hooks.shown(this.pair);
    } finally {
      // Even when the adapter could not show it: the HD result then comes as a message of its own.
      this.pair.endPreview('shown');
    }
  }

  async fail(failure: JobFailure): Promise<void> {
    // A cancel, or the input itself (the HD render would refuse it too), is the request's answer; anything else
    // (a timeout, a warp worker lost) leaves the answer to the HD job, which is queued already.
    const final = failure.code === 'CANCELLED' || (errorKind(failure.code) === 'input' && !this.pair.hdSettled);
    if (!final) {
      this.pair.endPreview('failed');
      return;
    }
    this.pair.endPreview('abandoned');
    this.hooks.abandon(this.pair);
    await this.adapter.fail({ ...failure, jobId: this.pair.requestId });
  }
}

/** The HelloMeme stage: everything it says lands on the preview, under the request's id, once the preview is over. */
export class HdStage implements RoutableReplier {
  constructor(
    private readonly adapter: Adapter,
    private readonly pair: StagePair,
    /** Told once, before the adapter hears how the stage ended. */
    private readonly ended: (pair: StagePair) => void,
  ) {}

  /** The adapter's route (after the preview is in the chat it names that message), marked as the request's upgrade. */
  get route(): ReplyRoute {
    return { ...(this.adapter.route ?? { platform: this.pair.platform }), upgradeOf: this.pair.requestId };
  }

  queued(update: ProgressUpdate): void {
    this.#news(update);
  }

  progress(update: ProgressUpdate): void {
    this.#news(update);
  }

  /** The held news, once the preview is over. */
  flush(): void {
    const held = this.pair.heldHd;
    this.pair.heldHd = undefined;
    if (held && this.pair.outcome !== 'abandoned') this.adapter.hdProgress(held);
  }

  async deliver(result: MemeResult): Promise<void> {
    this.pair.hdSettled = true;
    const outcome = await this.pair.previewOver;
    this.ended(this.pair);
    if (outcome === 'abandoned') return;
    // Without a preview in the chat the adapter sends the HD result as a message of its own.
    await this.adapter.upgrade(result, { jobId: this.pair.requestId });
  }

  async fail(failure: JobFailure): Promise<void> {
    this.pair.hdSettled = true;
    const outcome = await this.pair.previewOver;
    this.ended(this.pair);
    const jobId = this.pair.requestId;
    if (outcome === 'abandoned') return;
    if (outcome === 'failed') return this.adapter.fail({ ...failure, jobId });
    // A cancel is someone's choice ("Keep this one", /cancel); anything else is a failure worth naming.
    await this.adapter.keepPreview(failure.code === 'CANCELLED' ? { jobId, reason: 'kept' } : { jobId, reason: 'failed', code: failure.code, text: failure.text });
  }

  #news(update: ProgressUpdate): void {
    const news = { ...update, jobId: this.pair.requestId };
    if (this.pair.outcome === undefined) this.pair.heldHd = news;
    else if (this.pair.outcome !== 'abandoned') this.adapter.hdProgress(news);
  }
}
