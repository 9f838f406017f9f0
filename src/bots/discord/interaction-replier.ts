// The service's Replier over one deferred Discord interaction: progress edits of the deferred reply (paced by the
// adapter's outbox: the pacing rule in bots/pacing/ with Discord's limits, newest text wins), the result as an
// attachment with buttons, errors as ephemeral notes. Once the token is old: a channel post where the bot may post
// (a server that installed it), else the webhook handover (webhook-handover.ts) — never a channel message there.
// The reply is live or, after a bot restart, reached through the interaction webhook (original-reply.ts).
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { message, previewKeptText, progressText, resultNotesText } from '../messages.ts';
import type { JobFailure, JobRef, PreviewKept, ProgressUpdate, UpgradingReplier } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { postLocated, postToChannelOrDm } from './channel-delivery.ts';
import { faceSelectRow, handoverRow, keepRow, resultRow, type Row, runningRow } from './components.ts';
import { toDiscordReplyRoute } from './discord-route.ts';
import { TEXT } from './discord-texts.ts';
import type { ChatRef } from '../pacing/paced-outbox.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { OriginalReply } from './original-reply.ts';
import { type PreviewAt, PreviewReply } from './preview-reply.ts';
import { isExpiredTokenError, isTokenUsable, outlivesToken } from './token-lifetime.ts';
import { type HeldOutcome, WebhookHandover } from './webhook-handover.ts';

/** Discord: a message's content is at most 2000 characters. */
const MAX_CONTENT_CHARS = 2000;
/** What TEXT.lateDelivery adds around the done text: a user mention (up to 23 characters) and a sentence. */
const LATE_DELIVERY_ROOM = 100;

/** Discord's "Request entity too large": the file is over the channel's upload limit. */
function isUploadTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 40005;
}

const STATUS = 'progress';

export class InteractionReplier implements UpgradingReplier {
  /** This reply's queue in the adapter's outbox (a new one when another interaction takes the reply over). */
  #lane: ChatRef;
  /** The newest progress text, read when the edit's turn comes. */
  #latest = '';
  #latestKind: 'progress' | 'waiting' = 'waiting';
  #stopped = false;
  readonly #handover = new WebhookHandover();
  /** A previewed request's preview, once it is shown (bots/upgrade/). */
  #preview: PreviewReply | undefined;
  /** The preview's result: should it never be shown, it is what the requester gets if no HD version comes. */
  #previewResult: MemeResult | undefined;

  constructor(
    private reply: OriginalReply,
    private readonly session: MemeSession,
    private receivedAtMs: number,
    private readonly ctx: AdapterContext,
    /** The preview already shown (the HD stage resumed after a restart). */
    previewAt?: PreviewAt,
  ) {
    this.#lane = this.#laneOf(reply);
    if (previewAt) this.#preview = this.#previewReply(previewAt);
    if (session.place.webhookOnly && !previewAt) this.#handover.watch(() => void this.#maybeHandOver());
  }

  /** How a restarted bot process reaches this interaction again (QUEUE_BACKEND=redis), and its preview if shown. */
  get route(): ReplyRoute {
    const { applicationId, token } = this.reply;
    return toDiscordReplyRoute({ applicationId, token, receivedAtMs: this.receivedAtMs, session: this.session, sessionKey: this.session.key, preview: this.#preview?.at });
  }

  async deliverPreview(result: MemeResult, job: JobRef): Promise<void> {
    if (this.session.cancelled) return;
    this.session.result = { ...this.session.result, jobId: job.jobId, seed: result.seed };
    this.#previewResult = result;
    const content = PreviewReply.text(this.session.language);
    const edit = { content, components: [this.#keepRow().toJSON()], file: { name: `meme.${result.format}`, bytes: result.bytes, contentType: result.mime } };
    let at: PreviewAt | undefined;
    try {
      if (this.#tokenUsable()) {
        await this.#quietProgress();
        const edited = await this.reply.edit(edit).catch((error: unknown) => {
          if (!isExpiredTokenError(error)) throw error;
        });
        if (edited) at = { ...edited, original: true };
      }
      if (!at && !this.session.place.webhookOnly) {
        const posted = await postLocated(this.ctx.rest, this.session.place.channelId, {
          content: TEXT.lateDelivery(this.session.place.ownerId, content),
          mentionUserId: this.session.place.ownerId,
          files: [{ name: edit.file.name, data: result.bytes, contentType: result.mime }],
          components: edit.components,
        });
        at = { channelId: posted.channelId, messageId: posted.messageId, original: false };
      }
    } catch (error) {
      // No preview: progress goes on in the reply, and the HD version (or this one) comes as the result.
      this.ctx.log('discord: the preview was not shown', error);
      return;
    }
    if (!at) return;
    this.#stopped = true;
    this.#preview = this.#previewReply(at);
  }

  hdProgress(update: ProgressUpdate): void {
    if (this.#preview) this.#preview.showHd(update);
    else this.progress(update);
  }

  async upgrade(result: MemeResult, job: JobRef): Promise<void> {
    const preview = this.#preview;
    if (!preview) return this.deliver(result, job);
    if (this.session.cancelled) return;
    this.session.result = { ...this.session.result, seed: result.seed };
    try {
      await preview.replaceWith(result, this.#doneText(result), this.#resultRows(result.format));
    } catch (error) {
      // The preview cannot take the file (too big here, deleted, out of reach): the HD version comes the usual way.
      if (isUploadTooLarge(error)) return this.keepPreview({ jobId: job.jobId, reason: 'failed', code: 'BUDGET_UNREACHABLE', text: message('BUDGET_UNREACHABLE', {}, this.session.language) });
      this.ctx.log('discord: the preview could not be replaced; delivering the HD version anew', error);
      this.#preview = undefined;
      await this.deliver(result, job);
    }
  }

  async keepPreview(outcome: PreviewKept): Promise<void> {
    const preview = this.#preview;
    if (!preview) {
      // The preview never showed: it is the result now, or the failure is.
      if (this.#previewResult) return this.deliver(this.#previewResult, outcome);
      if (outcome.reason === 'failed') return this.fail(outcome);
      return;
    }
    await preview
      .keep(previewKeptText(outcome, this.session.language), this.#resultRows(this.#previewResult?.format ?? this.session.request.format))
      .catch((error: unknown) => this.ctx.log('discord: the note on a kept preview was not shown', error));
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
    // The take on screen: the MP4 button renders this seed again (a reroll's seed is picked by the service).
    this.session.result = { ...this.session.result, jobId: job.jobId, seed: result.seed };
    if (this.#tokenUsable()) {
      try {
        await this.#showResult(result);
        return;
      } catch (error) {
        if (isUploadTooLarge(error)) return this.reply.replyPrivately(message('BUDGET_UNREACHABLE', {}, this.session.language));
        if (!isExpiredTokenError(error)) throw error;
      }
    }
    if (this.session.place.webhookOnly) return this.#holdForTakeOver({ kind: 'result', result, job });
    await postToChannelOrDm(this.ctx.rest, this.session.place.channelId, {
      content: TEXT.lateDelivery(this.session.place.ownerId, this.#doneText(result)),
      mentionUserId: this.session.place.ownerId,
      files: [{ name: `meme.${result.format}`, data: result.bytes, contentType: result.mime }],
      components: this.#resultRows(result.format).map((row) => row.toJSON()),
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
    if (this.session.place.webhookOnly) return this.#holdForTakeOver({ kind: 'failure', failure });
    await postToChannelOrDm(this.ctx.rest, this.session.place.channelId, {
      content: TEXT.lateFailure(this.session.place.ownerId, failure.text),
      mentionUserId: this.session.place.ownerId,
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
      await reply.edit({ content: this.#latest || TEXT.stillRendering, components: [runningRow(this.session.key, this.session.place.ownerId).toJSON()] });
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

  /** Lets a progress edit on its way land before the preview goes into the same reply. */
  #quietProgress(): Promise<void> {
    return this.ctx.outbox.quiet(this.#lane, STATUS);
  }

  /** The buttons under a result; for a group photo also the face select that renders it again with another face. */
  #resultRows(format: MemeResult['format']): Row[] {
    const { key, faceCount } = this.session;
    const { ownerId } = this.session.place;
    const rows: Row[] = [resultRow(key, ownerId, format)];
    if (faceCount && faceCount > 1) rows.push(faceSelectRow(faceCount, this.session.request.face ?? 'all', key, ownerId, 'reface'));
    return rows;
  }

  #keepRow() {
    return keepRow(this.session.key, this.session.place.ownerId);
  }

  #previewReply(at: PreviewAt): PreviewReply {
    return new PreviewReply(
      {
        ctx: this.ctx,
        reply: () => this.reply,
        tokenUsable: () => this.#tokenUsable(),
        language: this.session.language,
        keepRow: () => this.#keepRow(),
        editsAsBot: !this.session.place.webhookOnly,
      },
      at,
    );
  }

  #laneOf(reply: OriginalReply): ChatRef {
    return { key: `interaction:${reply.applicationId}:${reply.token}`, limits: this.ctx.pace };
  }

  async #showResult(result: MemeResult): Promise<void> {
    const components = this.#resultRows(result.format).map((row) => row.toJSON());
    await this.reply.edit({ content: this.#doneText(result), components, file: { name: `meme.${result.format}`, bytes: result.bytes, contentType: result.mime } });
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
      .edit({ content: TEXT.handover, components: [handoverRow(this.session.key, this.session.place.ownerId).toJSON()] })
      .catch((error: unknown) => this.ctx.log('discord: could not offer "Show my meme" before the token expired', error));
  }

  /** Says up front when the estimate runs past what this token can carry (webhook-only replies). */
  #withTokenNote(line: string, update: ProgressUpdate): string {
    if (!this.session.place.webhookOnly || update.etaSec === undefined) return line;
    return outlivesToken(this.receivedAtMs, this.ctx.nowMs(), update.etaSec) ? `${line}\n${TEXT.outlivesToken}` : line;
  }

  #edit(content: string, kind: 'progress' | 'waiting'): void {
    if (this.#stopped || this.session.cancelled) return;
    this.#latest = content;
    this.#latestKind = kind;
    // Past the token's life an edit would fail anyway; the result goes to the channel or is handed over instead.
    if (!this.#tokenUsable() || this.#handover.handedOver) {
      if (this.session.place.webhookOnly) void this.#maybeHandOver();
      return;
    }
    const show = async () => {
      if (this.#stopped || this.session.cancelled || this.#handover.handedOver) return false;
      await this.reply.edit({ content: this.#latest, components: [runningRow(this.session.key, this.session.place.ownerId).toJSON()] });
      return true;
    };
    void this.ctx.outbox.status(this.#lane, STATUS, show, () => this.#latestKind).catch((error: unknown) => this.ctx.log('discord: progress edit failed', error));
  }

  #tokenUsable(): boolean {
    return isTokenUsable(this.receivedAtMs, this.ctx.nowMs());
  }

  /** "Here is your meme! (Title)", and under it what the person should know about `result` (faces left still and why). */
  #doneText(result?: MemeResult): string {
    const id = this.session.request.templateId;
    const done = message('done', {}, this.session.language);
    const head = id && this.ctx.templates.has(id) ? `${done} (${this.ctx.templates.get(id).title})` : done;
    // The notes get what a message's content leaves after the head, less room for the late delivery's mention and words.
    const notes = resultNotesText(result?.notes, MAX_CONTENT_CHARS - LATE_DELIVERY_ROOM - head.length - 1, this.session.language);
    return notes ? `${head}\n${notes}` : head;
  }
}
