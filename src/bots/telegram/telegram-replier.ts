// The service's Replier over Telegram for one job: every queue move and progress update goes to the job's line on
// its chat's status board (the outbox shows the newest when Telegram's limits allow), the result is sent as a
// reply to the request and takes the line off the board, a failure is told on the board or beside it. A previewed
// request (bots/upgrade/) gets its preview through preview-message.ts, which the HD result then replaces in place.
// It decides nothing about the job itself; what to remember about a sent result is the caller's (onSent).
import type { Telegram } from 'telegraf';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { Logger } from '../../logger.ts';
import { previewKeptText, progressLine, resultNotesText } from '../messages.ts';
import type { JobFailure, JobRef, PreviewKept, ProgressUpdate, UpgradingReplier } from '../service-types.ts';
import { codeText, statusText } from './error-text.ts';
import { resultButtons } from './inline-keyboards.ts';
import { PreviewMessage } from './preview-message.ts';
import { type SentResult, sendResult } from './result-sender.ts';
import type { BoardLine, LineText } from './status-board.ts';
import { MAX_CAPTION_CHARS, MAX_UPLOAD_BYTES } from './telegram-config.ts';
import type { ChatTarget, TelegramOutbox } from './telegram-outbox.ts';

/** What a sent message is: a result (its file_id may be reused), or a preview kept in place of its HD version. */
type SentKind = 'result' | 'kept-preview';

interface TelegramReplierOptions {
  telegram: Telegram;
  outbox: TelegramOutbox;
  chat: ChatTarget;
  /** This job's line on its chat's status board; none for the HD stage of a preview sent before a restart. */
  line?: BoardLine;
  /** Telegram's language_code of the requester, for the status texts. */
  language?: string;
  replyToMessageId?: number;
  /** Allocates the id the result's buttons refer to. */
  newResultId: () => string;
  /** Called after the result is in the chat, to remember its file_id and job for the buttons. */
  onSent: (sent: SentResult, resultId: string, job: JobRef, result: MemeResult, kind: SentKind) => void;
  /** Called once a preview is in the chat, so its "Keep this one" can be checked against the requester. */
  onPreview?: (requestId: string) => void;
  log: Logger;
  /** How a restarted bot process finds this chat again (QUEUE_BACKEND=redis); read when a job is submitted. */
  route?: (previewMessageId: number | undefined) => ReplyRoute;
  /** The preview of this request already in the chat (the HD stage resumed after a restart). */
  preview?: PreviewMessage;
}

/** A status update as a board line: the full sentence, and the short line shown beside other requests. */
export function lineText(update: ProgressUpdate | undefined, language?: string): LineText {
  return {
    full: statusText(update, language),
    short: update ? progressLine(update, language) : progressLine({ jobId: '' }, language),
    running: update?.stage !== undefined,
  };
}

export class TelegramReplier implements UpgradingReplier {
  private done = false;
  private preview: PreviewMessage | undefined;
  /** The preview as sent, kept for the buttons should it stay. */
  private previewSent: { sent: SentResult; result: MemeResult } | undefined;

  constructor(private readonly options: TelegramReplierOptions) {
    this.preview = options.preview;
  }

  get route(): ReplyRoute | undefined {
    return this.options.route?.(this.preview?.messageId);
  }

  queued(update: ProgressUpdate): void {
    if (!this.done) this.options.line?.set(lineText(update, this.options.language));
  }

  progress(update: ProgressUpdate): void {
    if (!this.done) this.options.line?.set(lineText(update, this.options.language));
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.send(result, job);
  }

  async fail(failure: JobFailure): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.tell(failure.text);
  }

  async deliverPreview(result: MemeResult, job: JobRef): Promise<void> {
    if (this.done || result.bytes.length > MAX_UPLOAD_BYTES) return;
    const { telegram, outbox, chat, language } = this.options;
    try {
      const { preview, sent } = await PreviewMessage.send({ telegram, outbox, chat, language }, job.jobId, result, this.options.replyToMessageId);
      this.preview = preview;
      this.previewSent = { sent, result };
    } catch (error) {
      // No preview: the status line stays and the HD version will come as a message of its own.
      this.options.log.warn('sending the preview failed', { jobId: job.jobId, error });
      return;
    }
    this.options.onPreview?.(job.jobId);
    // Not awaited: the preview is in the chat, and the sooner its HD job knows, the smaller a restart's window.
    void this.options.line?.close().catch((error: unknown) => this.options.log.warn('closing the status line failed', { jobId: job.jobId, error }));
  }

  hdProgress(update: ProgressUpdate): void {
    if (this.done) return;
    if (this.preview) this.preview.showHd(update);
    else this.options.line?.set(lineText(update, this.options.language));
  }

  async upgrade(result: MemeResult, job: JobRef): Promise<void> {
    if (this.done) return;
    this.done = true;
    const preview = this.preview;
    if (!preview) return this.send(result, job);
    if (result.bytes.length > MAX_UPLOAD_BYTES) return this.keepWith(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_UPLOAD_BYTES }, this.options.language), job);
    const resultId = this.options.newResultId();
    try {
      const sent = await preview.replaceWith(result, resultButtons(resultId), resultNotesText(result.notes, MAX_CAPTION_CHARS, this.options.language));
      this.options.onSent(sent, resultId, job, result, 'result');
    } catch (error) {
      // The preview is gone (deleted by someone) or cannot be edited: the HD version comes as a message of its own.
      this.options.log.warn('replacing the preview failed; sending the HD version anew', { jobId: job.jobId, error });
      await this.send(result, job);
    }
  }

  async keepPreview(outcome: PreviewKept): Promise<void> {
    if (this.done) return;
    this.done = true;
    const note = previewKeptText(outcome, this.options.language);
    if (!this.preview) return this.tell(outcome.reason === 'failed' ? outcome.text : note);
    await this.keepWith(note, outcome);
  }

  /** The preview stays as the result: its note, the usual buttons (for the preview's own take). */
  private async keepWith(note: string, job: JobRef): Promise<void> {
    const resultId = this.options.newResultId();
    try {
      await this.preview!.keep(note, resultButtons(resultId));
      if (this.previewSent) this.options.onSent(this.previewSent.sent, resultId, job, this.previewSent.result, 'kept-preview');
    } catch (error) {
      this.options.log.warn('the note on a kept preview was not shown', { jobId: job.jobId, error });
    }
  }

  private async send(result: MemeResult, job: JobRef): Promise<void> {
    const { telegram, outbox, chat, line, language } = this.options;
    if (result.bytes.length > MAX_UPLOAD_BYTES) {
      await this.tell(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_UPLOAD_BYTES }, language));
      return;
    }
    const resultId = this.options.newResultId();
    let sent: SentResult;
    try {
      sent = await sendResult(telegram, outbox, chat, { bytes: result.bytes }, result.format, {
        replyToMessageId: this.options.replyToMessageId,
        // Buttons go under the animation only; stickers and GIF files are end products.
        replyMarkup: result.format === 'mp4' ? resultButtons(resultId) : undefined,
        // What was left still in a group photo and why (a sticker takes no caption).
        caption: resultNotesText(result.notes, MAX_CAPTION_CHARS, language),
      });
    } catch (error) {
      // The render worked but Telegram refused the upload: say so instead of leaving "Animating… 100%".
      this.options.log.error('sending the result failed', { jobId: job.jobId, format: result.format, bytes: result.bytes.length, error });
      await this.tell(codeText('INTERNAL', {}, language));
      return;
    }
    // Remembered before the status goes, so the buttons under the result work the moment it is in the chat.
    this.options.onSent(sent, resultId, job, result, 'result');
    await line?.close();
  }

  /** A failure on the status board, or (no board line: a resumed HD stage) as a reply of its own. */
  private async tell(text: string): Promise<void> {
    const { line, outbox, chat, telegram, replyToMessageId } = this.options;
    if (line) return line.fail(text);
    await outbox
      .toChat(chat, () => telegram.sendMessage(chat.chatId, text, { reply_parameters: replyToMessageId ? { message_id: replyToMessageId, allow_sending_without_reply: true } : undefined }))
      .catch((error: unknown) => this.options.log.warn('failure notice not sent', { chatId: chat.chatId, error }));
  }
}
