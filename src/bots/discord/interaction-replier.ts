// The service's Replier over one deferred Discord interaction: progress edits of the deferred reply (paced by the
// adapter's outbox: the pacing rule in bots/pacing/ with Discord's limits, newest text wins), the result as an
// attachment with buttons, errors as ephemeral notes. Once the token is old: a channel post where the bot may post
// (a server that installed it), else the webhook handover (webhook-handover.ts) — never a channel message there.
// The reply is live or, after a bot restart, reached through the interaction webhook (original-reply.ts).
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { message, progressText } from '../messages.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { postToChannelOrDm } from './channel-delivery.ts';
import { handoverRow, resultRow, runningRow } from './components.ts';
import { toDiscordReplyRoute } from './discord-route.ts';
import { TEXT } from './discord-texts.ts';
import type { ChatRef } from '../pacing/paced-outbox.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { OriginalReply } from './original-reply.ts';
import { isExpiredTokenError, isTokenUsable, outlivesToken } from './token-lifetime.ts';
import { type HeldOutcome, WebhookHandover } from './webhook-handover.ts';

/** Discord's "Request entity too large": the file is over the channel's upload limit. */
function isUploadTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 40005;
}

const STATUS = 'progress';

export class InteractionReplier implements Replier {
  /** This reply's queue in the adapter's outbox (a new one when another interaction takes the reply over). */
  #lane: ChatRef;
  /** The newest progress text, read when the edit's turn comes. */
  #latest = '';
  #latestKind: 'progress' | 'waiting' = 'waiting';
  #stopped = false;
  readonly #handover = new WebhookHandover();

  constructor(
    private reply: OriginalReply,
    private readonly session: MemeSession,
    private receivedAtMs: number,
    private readonly ctx: AdapterContext,
  ) {
    this.#lane = this.#laneOf(reply);
    if (session.webhookOnly) this.#handover.watch(() => void this.#maybeHandOver());
  }

  /** How a restarted bot process reaches this interaction again (QUEUE_BACKEND=redis). */
  get route(): ReplyRoute {
    return toDiscordReplyRoute({ applicationId: this.reply.applicationId, token: this.reply.token, receivedAtMs: this.receivedAtMs, session: this.session });
  }

  queued(update: ProgressUpdate): void {
    this.#edit(this.#withTokenNote(progressText(update, this.session.language), update), 'waiting');
  }

  progress(update: ProgressUpdate): void {
    const line = this.#withTokenNote(progressText(update, this.session.language), update);
    if (update.stage === undefined) this.#edit(line, 'waiting');
    else this.#edit(`${TEXT.progressBar(update.fraction ?? 0)} ${line}`, 'progress');
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    await this.stop();
    if (this.session.cancelled) return;
    this.session.jobId = job.jobId;
    // The take on screen: the MP4 button renders this seed again (a reroll's seed is picked by the service).
    this.session.request = { ...this.session.request, seed: result.seed };
    if (this.#tokenUsable()) {
      try {
        await this.#showResult(result);
        return;
      } catch (error) {
        if (isUploadTooLarge(error)) return this.reply.replyPrivately(message('BUDGET_UNREACHABLE', {}, this.session.language));
        if (!isExpiredTokenError(error)) throw error;
      }
    }
    if (this.session.webhookOnly) return this.#holdForTakeOver({ kind: 'result', result, job });
    await postToChannelOrDm(this.ctx.rest, this.session.channelId, {
      content: TEXT.lateDelivery(this.session.ownerId, this.#doneText()),
      mentionUserId: this.session.ownerId,
      files: [{ name: `meme.${result.format}`, data: result.bytes, contentType: result.mime }],
      components: [resultRow(this.session.key, this.session.ownerId, result.format).toJSON()],
    });
  }

  async fail(failure: JobFailure): Promise<void> {
    await this.stop();
    if (this.session.cancelled) return;
    if (this.#tokenUsable()) {
      try {
        await this.reply.replyPrivately(failure.text);
        return;
      } catch (error) {
        if (!isExpiredTokenError(error)) throw error;
      }
    }
    if (this.session.webhookOnly) return this.#holdForTakeOver({ kind: 'failure', failure });
    await postToChannelOrDm(this.ctx.rest, this.session.channelId, {
      content: TEXT.lateFailure(this.session.ownerId, failure.text),
      mentionUserId: this.session.ownerId,
    });
  }

  /**
   * "Show my meme" pressed: `reply` (the press's deferred update, a fresh token) takes this reply over. Shows a held
   * outcome, or the progress again while the render runs; false when the outcome is gone (held too long).
   */
  async takeOver(reply: OriginalReply, receivedAtMs: number): Promise<boolean> {
    if (this.session.cancelled) return false;
    const held = this.#handover.take();
    if (held === 'gone') return false;
    await this.ctx.outbox.quiet(this.#lane, STATUS);
    this.reply = reply;
    this.receivedAtMs = receivedAtMs;
    this.#lane = this.#laneOf(reply);
    if (held === 'running') {
      this.#handover.watch(() => void this.#maybeHandOver());
      await reply.edit({ content: this.#latest || TEXT.stillRendering, components: [runningRow(this.session.key, this.session.ownerId).toJSON()] });
      return true;
    }
    if (held.kind === 'failure') await reply.edit({ content: held.failure.text, components: [] });
    else await this.#showResult(held.result).catch((error: unknown) => this.#resultNotShown(error));
    return true;
  }

  /** Stops progress edits (a result, a failure, Cancel pressed); resolves once an edit in flight has landed. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#handover.stopWatching();
    return this.ctx.outbox.quiet(this.#lane, STATUS);
  }

  #laneOf(reply: OriginalReply): ChatRef {
    return { key: `interaction:${reply.applicationId}:${reply.token}`, limits: this.ctx.pace };
  }

  async #showResult(result: MemeResult): Promise<void> {
    const components = [resultRow(this.session.key, this.session.ownerId, result.format).toJSON()];
    await this.reply.edit({ content: this.#doneText(), components, file: { name: `meme.${result.format}`, bytes: result.bytes, contentType: result.mime } });
  }

  async #resultNotShown(error: unknown): Promise<void> {
    if (!isUploadTooLarge(error)) throw error;
    await this.reply.edit({ content: message('BUDGET_UNREACHABLE', {}, this.session.language), components: [] });
  }

  async #holdForTakeOver(outcome: HeldOutcome): Promise<void> {
    this.#handover.hold(outcome);
    await this.#maybeHandOver();
  }

  /** Once the token is too old to carry the outcome: the reply says so, with the "Show my meme" button. */
  async #maybeHandOver(): Promise<void> {
    if (this.#tokenUsable() || this.#handover.handedOver || this.session.cancelled) return;
    this.#handover.markHandedOver();
    this.#handover.stopWatching();
    await this.ctx.outbox.quiet(this.#lane, STATUS);
    // Inside the safety margin the token still works for a small edit (no upload).
    await this.reply
      .edit({ content: TEXT.handover, components: [handoverRow(this.session.key, this.session.ownerId).toJSON()] })
      .catch((error: unknown) => this.ctx.log('discord: could not offer "Show my meme" before the token expired', error));
  }

  /** Says up front when the estimate runs past what this token can carry (webhook-only replies). */
  #withTokenNote(line: string, update: ProgressUpdate): string {
    if (!this.session.webhookOnly || update.etaSec === undefined) return line;
    return outlivesToken(this.receivedAtMs, this.ctx.nowMs(), update.etaSec) ? `${line}\n${TEXT.outlivesToken}` : line;
  }

  #edit(content: string, kind: 'progress' | 'waiting'): void {
    if (this.#stopped || this.session.cancelled) return;
    this.#latest = content;
    this.#latestKind = kind;
    // Past the token's life an edit would fail anyway; the result goes to the channel or is handed over instead.
    if (!this.#tokenUsable() || this.#handover.handedOver) {
      if (this.session.webhookOnly) void this.#maybeHandOver();
      return;
    }
    const show = async () => {
      if (this.#stopped || this.session.cancelled || this.#handover.handedOver) return false;
      await this.reply.edit({ content: this.#latest, components: [runningRow(this.session.key, this.session.ownerId).toJSON()] });
      return true;
    };
    void this.ctx.outbox.status(this.#lane, STATUS, show, () => this.#latestKind).catch((error: unknown) => this.ctx.log('discord: progress edit failed', error));
  }

  #tokenUsable(): boolean {
    return isTokenUsable(this.receivedAtMs, this.ctx.nowMs());
  }

  #doneText(): string {
    const id = this.session.request.templateId;
    const done = message('done', {}, this.session.language);
    return id && this.ctx.templates.has(id) ? `${done} (${this.ctx.templates.get(id).title})` : done;
  }
}
