// The service's Replier over Telegram for one job: every queue move and progress update goes to the job's line on
// its chat's status board (the outbox shows the newest when Telegram's limits allow), the result is sent as a
// reply to the request and takes the line off the board, a failure is told on the board or beside it.
// It decides nothing about the job itself; what to remember about a sent result is the caller's (onSent).
import type { Telegram } from 'telegraf';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { Logger } from '../../logger.ts';
import { progressLine } from '../messages.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../service-types.ts';
import { codeText, statusText } from './error-text.ts';
import { resultButtons } from './inline-keyboards.ts';
import { type SentResult, sendResult } from './result-sender.ts';
import type { BoardLine, LineText } from './status-board.ts';
import { MAX_UPLOAD_BYTES } from './telegram-config.ts';
import type { ChatTarget, TelegramOutbox } from './telegram-outbox.ts';

export interface TelegramReplierOptions {
  telegram: Telegram;
  outbox: TelegramOutbox;
  chat: ChatTarget;
  /** This job's line on its chat's status board. */
  line: BoardLine;
  /** Telegram's language_code of the requester, for the status texts. */
  language?: string;
  replyToMessageId?: number;
  /** Allocates the id the result's buttons refer to. */
  newResultId: () => string;
  /** Called after the result is in the chat, to remember its file_id and job for the buttons. */
  onSent: (sent: SentResult, resultId: string, job: JobRef, result: MemeResult) => void;
  log: Logger;
  /** How a restarted bot process finds this chat again (QUEUE_BACKEND=redis); read when the job is submitted. */
  route?: () => ReplyRoute;
}

/** A status update as a board line: the full sentence, and the short line shown beside other requests. */
export function lineText(update: ProgressUpdate | undefined, language?: string): LineText {
  return {
    full: statusText(update, language),
    short: update ? progressLine(update, language) : progressLine({ jobId: '' }, language),
    running: update?.stage !== undefined,
  };
}

export class TelegramReplier implements Replier {
  private done = false;

  constructor(private readonly options: TelegramReplierOptions) {}

  get route(): ReplyRoute | undefined {
    return this.options.route?.();
  }

  queued(update: ProgressUpdate): void {
    if (!this.done) this.options.line.set(lineText(update, this.options.language));
  }

  progress(update: ProgressUpdate): void {
    if (!this.done) this.options.line.set(lineText(update, this.options.language));
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    if (this.done) return;
    this.done = true;
    const { telegram, outbox, chat, line, language } = this.options;
    if (result.bytes.length > MAX_UPLOAD_BYTES) {
      await line.fail(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_UPLOAD_BYTES }, language));
      return;
    }
    const resultId = this.options.newResultId();
    let sent: SentResult;
    try {
      sent = await sendResult(telegram, outbox, chat, { bytes: result.bytes }, result.format, {
        replyToMessageId: this.options.replyToMessageId,
        // Buttons go under the animation only; stickers and GIF files are end products.
        replyMarkup: result.format === 'mp4' ? resultButtons(resultId) : undefined,
      });
    } catch (error) {
      // The render worked but Telegram refused the upload: say so instead of leaving "Animating… 100%".
      this.options.log.error('sending the result failed', { jobId: job.jobId, format: result.format, bytes: result.bytes.length, error });
      await line.fail(codeText('INTERNAL', {}, language));
      return;
    }
    // Remembered before the status goes, so the buttons under the result work the moment it is in the chat.
    this.options.onSent(sent, resultId, job, result);
    await line.close();
  }

  async fail(failure: JobFailure): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.options.line.fail(failure.text);
  }
}
