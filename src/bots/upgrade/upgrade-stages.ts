// The Repliers of a previewed request's two stages, each over the adapter's UpgradingReplier: the preview stage
// turns the warp result into deliverPreview and then hands over to the HD stage; the HD stage turns its queue moves
// and progress into hdProgress, its result into upgrade, and its failure or cancel into keepPreview. Both name the
// request by its id (the preview job's), whatever the backend calls the HD job. They decide nothing.
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { JobFailure, JobRef, ProgressUpdate, RoutableReplier, UpgradingReplier } from '../service-types.ts';

type Adapter = UpgradingReplier & { route?: ReplyRoute };

/** The warp stage: a preview instead of a result; once it is in the chat, `previewShown` starts the HD stage. */
export class PreviewStage implements RoutableReplier {
  constructor(
    private readonly adapter: Adapter,
    private readonly previewShown: (requestId: string) => Promise<void>,
  ) {}

  get route(): ReplyRoute | undefined {
    return this.adapter.route;
  }

  queued(update: ProgressUpdate): Promise<void> | void {
    return this.adapter.queued(update);
  }

  progress(update: ProgressUpdate): Promise<void> | void {
    return this.adapter.progress(update);
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    await this.adapter.deliverPreview(result, job);
    await this.previewShown(job.jobId);
  }

  fail(failure: JobFailure): Promise<void> {
    return this.adapter.fail(failure);
  }
}

/** The HelloMeme stage: everything it says lands on the preview, under the request's id. */
export class HdStage implements RoutableReplier {
  constructor(
    private readonly adapter: Adapter,
    readonly requestId: string,
    /** For the route when the adapter gives none. */
    private readonly platform: string,
    /** Told once, before the adapter hears how the stage ended. */
    private readonly ended: (requestId: string, upgraded: boolean) => void,
  ) {}

  /** The adapter's route (read now, after the preview is in the chat, so it names that message), marked as an upgrade. */
  get route(): ReplyRoute {
    return { ...(this.adapter.route ?? { platform: this.platform }), upgradeOf: this.requestId };
  }

  queued(update: ProgressUpdate): void {
    this.adapter.hdProgress({ ...update, jobId: this.requestId });
  }

  progress(update: ProgressUpdate): void {
    this.adapter.hdProgress({ ...update, jobId: this.requestId });
  }

  async deliver(result: MemeResult): Promise<void> {
    this.ended(this.requestId, true);
    await this.adapter.upgrade(result, { jobId: this.requestId });
  }

  async fail(failure: JobFailure): Promise<void> {
    this.ended(this.requestId, false);
    const jobId = this.requestId;
    // A cancel is someone's choice ("Keep this one", /cancel); anything else is a failure worth naming.
    await this.adapter.keepPreview(failure.code === 'CANCELLED' ? { jobId, reason: 'kept' } : { jobId, reason: 'failed', code: failure.code, text: failure.text });
  }
}
