// The service's Replier over Telegram for one job: queue and progress go to the status message (throttled),
// "sending video…" is refreshed while the job runs, and the result is sent then the status removed.
// It decides nothing about the job itself; what to remember about a sent result is the caller's (onSent).
import type { Telegram } from 'telegraf';
import type { ReplyRoute } from '../job-backend.ts';
import type { Logger } from '../logger.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../service-types.ts';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { codeText, statusText } from './error-text.ts';
import { resultButtons } from './inline-keyboards.ts';
import { sendResult, type SentResult } from './result-sender.ts';
import type { StatusMessage } from './status-message.ts';
import { MAX_UPLOAD_BYTES } from './telegram-config.ts';
import type { TelegramOutbox } from './telegram-outbox.ts';

export interface TelegramReplierOptions {
  telegram: Telegram;
  outbox: TelegramOutbox;
  status: StatusMessage;
  /** Telegram's language_code of the requester, for the status texts. */
  language?: string;
  replyToMessageId?: number;
  chatActionIntervalMs: number;
  /** Minimum gap between two progress edits; groups get a longer one (20 messages a minute). */
  progressIntervalMs: number;
  /** Allocates the id the result's buttons refer to. */
  newResultId: () => string;
  /** Called after the result is in the chat, to remember its file_id and job for the buttons. */
  onSent: (sent: SentResult, resultId: string, job: JobRef, result: MemeResult) => void;
  log: Logger;
  /** How a restarted bot process finds this chat again (QUEUE_BACKEND=redis); read when the job is submitted. */
  route?: () => ReplyRoute;
}

export class TelegramReplier implements Replier {
  private chatActionTimer: NodeJS.Timeout | undefined;
  private lastProgressMs = 0;
  private done = false;

  constructor(private readonly options: TelegramReplierOptions) {}

  get route(): ReplyRoute | undefined {
    return this.options.route?.();
  }

  queued(update: ProgressUpdate): void {
    if (this.done) return;
    this.startChatAction();
    this.options.status.update(statusText(update, this.options.language));
  }

  progress(update: ProgressUpdate): void {
    if (this.done) return;
    this.startChatAction();
    if (update.stage === undefined) {
      this.options.status.update(statusText(update, this.options.language));
      return;
    }
    const nowMs = Date.now();
    if (nowMs - this.lastProgressMs < this.options.progressIntervalMs) return;
    this.lastProgressMs = nowMs;
    this.options.status.update(statusText(update, this.options.language));
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    if (this.done) return;
    this.finish();
    const { telegram, outbox, status } = this.options;
    if (result.bytes.length > MAX_UPLOAD_BYTES) {
      await status.finish(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_UPLOAD_BYTES }, this.options.language));
      return;
    }
    const resultId = this.options.newResultId();
    let sent: SentResult;
    try {
      sent = await sendResult(telegram, outbox, status.chat, { bytes: result.bytes }, result.format, {
        replyToMessageId: this.options.replyToMessageId,
        // Buttons go under the animation only; stickers and GIF files are end products.
        replyMarkup: result.format === 'mp4' ? resultButtons(resultId) : undefined,
      });
    } catch (error) {
      // The render worked but Telegram refused the upload: say so instead of leaving "Animating… 100%".
      this.options.log.error('sending the result failed', { jobId: job.jobId, format: result.format, bytes: result.bytes.length, error });
      await status.finish(codeText('INTERNAL', {}, this.options.language));
      return;
    }
    this.options.onSent(sent, resultId, job, result);
    await status.remove();
  }

  async fail(failure: JobFailure): Promise<void> {
    if (this.done) return;
    this.finish();
    await this.options.status.finish(failure.text);
  }

  /** Stops the chat action; also used when submit itself fails and the service will never call back. */
  finish(): void {
    this.done = true;
    if (this.chatActionTimer) clearInterval(this.chatActionTimer);
    this.chatActionTimer = undefined;
  }

  private startChatAction(): void {
    if (this.chatActionTimer || this.done) return;
    const { telegram, outbox, status } = this.options;
    const send = (): void => {
      outbox.direct(() => telegram.sendChatAction(status.chat.chatId, 'upload_video')).catch(() => {
        // Cosmetic only.
      });
    };
    send();
    // Telegram shows an action for about 5 s; refresh before it lapses.
    this.chatActionTimer = setInterval(send, this.options.chatActionIntervalMs);
    this.chatActionTimer.unref();
  }
}
