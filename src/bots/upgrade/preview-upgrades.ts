// A preview that upgrades itself in place (issue 17, point 1): the one owner of when a request is previewed and of
// its two stages. Where `auto` means HelloMeme, one request is two jobs queued together, durable from the start: the
// HD job (HelloMeme, the GPU lane; it holds the user's slot) first, then its preview (warp, the CPU lane, preview
// priority, admitted with the HD job). Each job's route names the request (`upgradeOf`, `previewOf`), so a bot
// restarted at any moment pairs them again (resumedPair) or, when only the HD job was queued, delivers its result.
// Once the preview is in the chat the HD job's route is rewritten to name that message, and its result replaces
// it. A failed or cancelled HD stage, or "Keep this one", leaves the preview with a note. No platform words.
import { randomUUID } from 'node:crypto';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { EngineName } from '../../pipeline/meme-spec.ts';
import type { Logger } from '../../logger.ts';
import { canUpgrade, type JobRef, type MemeRequest, type Replier, type UpgradingReplier } from '../service-types.ts';
import { HdStage, PreviewStage, StagePair } from './upgrade-stages.ts';

/** What the stages need of the service: they are requests like any other. */
interface StageRunner {
  /** `companion`: admitted with the request's other job (no cap or rate count of its own). */
  submit(request: MemeRequest, replier: Replier, options?: { companion?: boolean }): Promise<JobRef>;
  cancel(jobId: string): boolean;
  /** Where the job's result goes from now on, for a restarted bot (remote backends keep it). */
  reroute(jobId: string, route: ReplyRoute): Promise<void>;
}

/** The operator's switch and what this bot can run now. */
interface UpgradeContext {
  /** MEMELOOM_PREVIEW_UPGRADE */
  enabled: boolean;
  /** The engine the request asked for, before `auto` was decided. */
  wanted: EngineName | 'auto';
  /** What it was decided to be. */
  decided: EngineName;
  /** What `auto` means on this bot (pipeline/engines/auto-engine.ts): a style alone can send a request to HelloMeme. */
  auto: EngineName;
  engines: readonly EngineName[];
}

/**
 * Previewed only where auto means HelloMeme on this bot (a style that sends a request to HelloMeme on a bot without a
 * GPU is not previewed: that bot never runs HelloMeme unasked), warp is there for the preview, and the adapter can
 * replace messages.
 */
export function previewFirst(request: MemeRequest, context: UpgradeContext, replier: Replier): replier is UpgradingReplier {
  return (
    context.enabled &&
    request.upgrade !== false &&
    request.priority !== 'preview' &&
    context.wanted === 'auto' &&
    context.auto === 'hellomeme' &&
    context.decided === 'hellomeme' &&
    context.engines.includes('warp') &&
    canUpgrade(replier)
  );
}

export class PreviewUpgrades {
  /** Previewed requests whose HD stage is not over, by request id. */
  readonly #requests = new Map<string, StagePair>();

  constructor(
    private readonly stages: StageRunner,
    private readonly log: Logger,
  ) {}

  /**
   * Queues both stages, the HD job first; the returned id is the request's from now on (cancel, keep, reroll). A
   * refusal of either refuses the request. A style is a HelloMeme LoRA: the preview is the unstyled warp render.
   */
  async start(request: MemeRequest, adapter: UpgradingReplier): Promise<JobRef> {
    const pair = new StagePair(randomUUID(), request.platform);
    const hd = this.#hdStage(pair, adapter);
    const preview = this.#previewStage(pair, adapter, hd);
    this.#requests.set(pair.requestId, pair);
    try {
      pair.hdJobId = (await this.stages.submit({ ...request, engine: 'hellomeme', priority: 'full', upgrade: false }, hd)).jobId;
    } catch (error) {
      this.#requests.delete(pair.requestId);
      throw error;
    }
    const { style: _style, ...unstyled } = request;
    try {
      pair.previewJobId = (await this.stages.submit({ ...unstyled, engine: 'warp', priority: 'preview', upgrade: false }, preview, { companion: true })).jobId;
    } catch (error) {
      pair.endPreview('abandoned');
      this.stages.cancel(pair.hdJobId);
      throw error;
    }
    this.log.info('previewed request queued', { requestId: pair.requestId, previewJobId: pair.previewJobId, hdJobId: pair.hdJobId, userId: request.userId });
    return { jobId: pair.requestId };
  }

  /** True while `requestId` is a previewed request whose HD stage is not over. */
  has(requestId: string): boolean {
    return this.#requests.has(requestId);
  }

  /** "Keep this one": cancels the HD stage of a preview in the chat; its CANCELLED ending keeps the preview. */
  keep(requestId: string): boolean {
    const pair = this.#requests.get(requestId);
    if (pair?.outcome !== 'shown' || pair.hdJobId === undefined) return false;
    return this.stages.cancel(pair.hdJobId);
  }

  /** A cancel of the request: before its preview is shown, both jobs stop; afterwards it keeps the preview. */
  cancel(requestId: string): boolean {
    const pair = this.#requests.get(requestId);
    if (!pair) return false;
    if (pair.outcome === 'shown') return this.keep(requestId);
    if (pair.outcome !== undefined) return pair.hdJobId !== undefined && this.stages.cancel(pair.hdJobId);
    // The preview's CANCELLED failure tells the requester and stops the HD job.
    return pair.previewJobId !== undefined && this.stages.cancel(pair.previewJobId);
  }

  /**
   * The HD job of a request found pending after a restart without its preview job (the preview was shown, and the
   * route names it; or the bot died before queueing the preview): a Replier that replaces the preview the route
   * names, or the adapter's own one when it cannot (a result as a new message).
   */
  resumed(requestId: string, hdJobId: string, adapter: Replier, platform: string): Replier {
    if (!canUpgrade(adapter)) return adapter;
    const pair = new StagePair(requestId, platform);
    pair.hdJobId = hdJobId;
    pair.endPreview('shown');
    this.#requests.set(requestId, pair);
    return this.#hdStage(pair, adapter);
  }

  /** Both jobs of a request found pending after a restart: the two stages again, over one adapter Replier. */
  resumedPair(requestId: string, jobs: { previewJobId: string; hdJobId: string }, adapter: Replier, platform: string): { preview: Replier; hd: Replier } | undefined {
    if (!canUpgrade(adapter)) return undefined;
    const pair = new StagePair(requestId, platform);
    Object.assign(pair, jobs);
    this.#requests.set(requestId, pair);
    const hd = this.#hdStage(pair, adapter);
    return { preview: this.#previewStage(pair, adapter, hd), hd };
  }

  #hdStage(pair: StagePair, adapter: UpgradingReplier): HdStage {
    return new HdStage(adapter, pair, (ended) => this.#requests.delete(ended.requestId));
  }

  #previewStage(pair: StagePair, adapter: UpgradingReplier, hd: HdStage): PreviewStage {
    void pair.previewOver.then(() => hd.flush());
    return new PreviewStage(adapter, pair, {
      shown: async (shown) => {
        if (shown.hdJobId === undefined) return;
        // The HD job's route now names the preview: a bot restarted from here on replaces it in place.
        await this.stages.reroute(shown.hdJobId, { ...hd.route, previewShown: true }).catch((error: unknown) => this.log.warn('could not record the preview for its HD job', { requestId: shown.requestId, error }));
        this.log.info('preview shown; its HD job now names it', { requestId: shown.requestId, hdJobId: shown.hdJobId });
      },
      abandon: (abandoned) => {
        if (abandoned.hdJobId !== undefined) this.stages.cancel(abandoned.hdJobId);
      },
    });
  }
}
