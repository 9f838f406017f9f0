// A preview that upgrades itself in place (issue 17, point 1): the one owner of when a request is previewed and of
// its two stages. Where `auto` means HelloMeme, the request runs first on warp (the CPU lane, preview priority, so
// it never waits behind diffusion) and is delivered as a preview; once that is in the chat, its HD job (HelloMeme,
// the GPU lane) is submitted with a route naming the preview message, so a restarted bot still replaces it. Each
// stage is an ordinary request of the service (limits, caches, cancel), linked by the request id (the preview
// job's). A failed or cancelled HD stage, or "Keep this one", leaves the preview with a note. No platform words.
import { errorText } from '../messages.ts';
import type { EngineName } from '../../pipeline/meme-spec.ts';
import type { Logger } from '../../logger.ts';
import { canUpgrade, type JobRef, type MemeRequest, type Replier, type UpgradingReplier } from '../service-types.ts';
import { HdStage, PreviewStage } from './upgrade-stages.ts';

/** What the stages need of the service: they are requests like any other. */
interface StageRunner {
  submit(request: MemeRequest, replier: Replier): Promise<JobRef>;
  cancel(jobId: string): boolean;
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

interface HdUnderWay {
  /** The backend's id of the HD job, once it is admitted. */
  hdJobId?: string;
  /** "Keep this one" came before the HD job was admitted: cancel it as soon as it is. */
  keep: boolean;
}

export class PreviewUpgrades {
  /** Requests whose preview is in the chat and whose HD stage is not over, by request id. */
  readonly #underWay = new Map<string, HdUnderWay>();

  constructor(
    private readonly stages: StageRunner,
    private readonly log: Logger,
  ) {}

  /**
   * Starts the preview stage; the returned id is the request's from now on (cancel, keep, reroll). A style is a
   * HelloMeme LoRA: the preview is the unstyled warp render, the HD version the styled one.
   */
  start(request: MemeRequest, adapter: UpgradingReplier): Promise<JobRef> {
    const preview = new PreviewStage(adapter, (requestId) => this.#startHd(requestId, request, adapter));
    const { style: _style, ...unstyled } = request;
    return this.stages.submit({ ...unstyled, engine: 'warp', priority: 'preview', upgrade: false }, preview);
  }

  /** True when `requestId` has an HD stage under way (cancelling the request then means keeping its preview). */
  has(requestId: string): boolean {
    return this.#underWay.has(requestId);
  }

  /** "Keep this one": cancels the HD stage; its CANCELLED ending tells the adapter to keep the preview. */
  keep(requestId: string): boolean {
    const hd = this.#underWay.get(requestId);
    if (!hd) return false;
    hd.keep = true;
    if (hd.hdJobId !== undefined) this.stages.cancel(hd.hdJobId);
    return true;
  }

  /**
   * The HD job of a request found pending after a restart (its route says `upgradeOf`): a Replier that replaces the
   * preview the route names, or the adapter's own Replier when it cannot (a result as a new message).
   */
  resumed(requestId: string, hdJobId: string, adapter: Replier, platform: string): Replier {
    if (!canUpgrade(adapter)) return adapter;
    this.#underWay.set(requestId, { hdJobId, keep: false });
    return new HdStage(adapter, requestId, platform, (id) => this.#underWay.delete(id));
  }

  async #startHd(requestId: string, request: MemeRequest, adapter: UpgradingReplier): Promise<void> {
    const hd: HdUnderWay = { keep: false };
    this.#underWay.set(requestId, hd);
    const stage = new HdStage(adapter, requestId, request.platform, (id) => this.#underWay.delete(id));
    try {
      const job = await this.stages.submit({ ...request, engine: 'hellomeme', priority: 'full', upgrade: false }, stage);
      hd.hdJobId = job.jobId;
      if (hd.keep) this.stages.cancel(job.jobId);
      this.log.info('HD stage queued', { requestId, hdJobId: job.jobId, userId: request.userId });
    } catch (error) {
      // Refused (the user's cap, a full queue, no HelloMeme worker any more): the preview is the result.
      this.#underWay.delete(requestId);
      const { code, text } = errorText(error);
      await adapter.keepPreview({ jobId: requestId, reason: 'failed', code, text });
    }
  }
}
