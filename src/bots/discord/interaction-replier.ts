// The service's Replier over one deferred Discord interaction: progress edits of the deferred reply (paced by the
// adapter's outbox: the pacing rule in bots/pacing/ with Discord's limits, newest text wins), the result as an
// attachment with buttons, errors as ephemeral notes, and a channel post once the token is old.
// The reply is live or, after a bot restart, reached through the interaction webhook (original-reply.ts).
import type { ReplyRoute } from '../job-backend.ts';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { message, progressText } from '../messages.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { postToChannelOrDm } from './channel-delivery.ts';
import { resultRow, runningRow } from './components.ts';
import { toDiscordReplyRoute } from './discord-route.ts';
import { TEXT } from './discord-texts.ts';
import type { ChatRef } from '../pacing/paced-outbox.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { OriginalReply } from './original-reply.ts';
import { isExpiredTokenError, isTokenUsable } from './token-lifetime.ts';

/** Discord's "Request entity too large": the file is over the channel's upload limit. */
function isUploadTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 40005;
}

const STATUS = 'progress';

export class InteractionReplier implements Replier {
  /** This reply's queue in the adapter's outbox. */
  readonly #lane: ChatRef;
  /** The newest progress text, read when the edit's turn comes. */
  #latest = '';
  #latestKind: 'progress' | 'waiting' = 'waiting';
  #stopped = false;

  constructor(
    private readonly reply: OriginalReply,
    private readonly session: MemeSession,
    private readonly receivedAtMs: number,
    private readonly ctx: AdapterContext,
  ) {
    this.#lane = { key: `interaction:${reply.applicationId}:${reply.token}`, limits: ctx.pace };
  }

  /** How a restarted bot process reaches this interaction again (QUEUE_BACKEND=redis). */
  get route(): ReplyRoute {
    return toDiscordReplyRoute({ applicationId: this.reply.applicationId, token: this.reply.token, receivedAtMs: this.receivedAtMs, session: this.session });
  }

  queued(update: ProgressUpdate): void {
    this.#edit(progressText(update, this.session.language), 'waiting');
  }

  progress(update: ProgressUpdate): void {
    const line = progressText(update, this.session.language);
    if (update.stage === undefined) this.#edit(line, 'waiting');
    else this.#edit(`${TEXT.progressBar(update.fraction ?? 0)} ${line}`, 'progress');
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    await this.stop();
    if (this.session.cancelled) return;
    this.session.jobId = job.jobId;
    // The take on screen: the MP4 button renders this seed again (a reroll's seed is picked by the service).
    this.session.request = { ...this.session.request, seed: result.seed };
    const name = `meme.${result.format}`;
    const components = [resultRow(this.session.key, this.session.ownerId, result.format).toJSON()];
    const done = this.#doneText();
    if (this.#tokenUsable()) {
      try {
        await this.reply.edit({ content: done, components, file: { name, bytes: result.bytes, contentType: result.mime } });
        return;
      } catch (error) {
        if (isUploadTooLarge(error)) return this.reply.replyPrivately(message('BUDGET_UNREACHABLE', {}, this.session.language));
        if (!isExpiredTokenError(error)) throw error;
      }
    }
    await postToChannelOrDm(this.ctx.rest, this.session.channelId, {
      content: TEXT.lateDelivery(this.session.ownerId, done),
      mentionUserId: this.session.ownerId,
      files: [{ name, data: result.bytes, contentType: result.mime }],
      components,
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
    await postToChannelOrDm(this.ctx.rest, this.session.channelId, {
      content: TEXT.lateFailure(this.session.ownerId, failure.text),
      mentionUserId: this.session.ownerId,
    });
  }

  /** Stops progress edits (a result, a failure, Cancel pressed); resolves once an edit in flight has landed. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.ctx.outbox.quiet(this.#lane, STATUS);
  }

  #edit(content: string, kind: 'progress' | 'waiting'): void {
    // Past the token's life an edit would fail anyway; the result will go to the channel instead.
    if (this.#stopped || !this.#tokenUsable() || this.session.cancelled) return;
    this.#latest = content;
    this.#latestKind = kind;
    const show = async () => {
      if (this.#stopped || this.session.cancelled) return false;
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
