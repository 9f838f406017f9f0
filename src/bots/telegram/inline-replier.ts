// The service's Replier for a meme sent through inline mode: the message "via @bot" shows the template's preview
// (or a text) until the render is done, then editMessageMedia with its inline_message_id swaps the meme in.
// The Bot API cannot upload a new file in an inline edit ("use a previously uploaded file via its file_id or
// specify a URL"), so the result is first uploaded to a chat the bot can post in (the media chat, or the user's
// private chat with the bot, where the upload is deleted again: its file_id stays valid) and the edit uses its
// file_id. A failure replaces the "making it" line with a short note: nothing is left hanging.
import type { Telegram } from 'telegraf';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { Logger } from '../../logger.ts';
import type { JobFailure, JobRef, Replier } from '../service-types.ts';
import { codeText } from './error-text.ts';
import { pendingKeyboard } from './inline-results.ts';
import { MAX_UPLOAD_BYTES } from './telegram-config.ts';
import { type ChatTarget, isNotModified, type TelegramOutbox } from './telegram-outbox.ts';

export interface InlineTarget {
  inlineMessageId: string;
  /** What the message shows until then: the preview animation (its caption takes a note) or a text. */
  preview: 'media' | 'text';
}

interface InlineReplierOptions {
  telegram: Telegram;
  outbox: TelegramOutbox;
  target: InlineTarget;
  /** Where the result is uploaded to get a file_id; `deleteUpload` when that is the user's own chat. */
  uploadChat: ChatTarget;
  deleteUpload: boolean;
  /** The requester's private chat: inline edits are paced with the rest of what the bot sends them. */
  userChat: ChatTarget;
  language?: string;
  log: Logger;
  /** After the meme is in place: its file_id, so the next inline query lists it as cached. */
  onDelivered: (fileId: string, job: JobRef, result: MemeResult) => void;
  route?: () => ReplyRoute;
}

export class InlineReplier implements Replier {
  #done = false;

  constructor(private readonly options: InlineReplierOptions) {}

  get route(): ReplyRoute | undefined {
    return this.options.route?.();
  }

  // The "making it" line stays as it is while the job waits and runs: edits of a message in someone else's chat
  // would only spend the flood budget the result needs.
  queued(): void {}

  progress(): void {}

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const { telegram, outbox, uploadChat, log } = this.options;
    if (result.bytes.length > MAX_UPLOAD_BYTES) return this.note(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_UPLOAD_BYTES }, this.options.language));
    try {
      const uploaded = await outbox.toChat(uploadChat, () =>
        telegram.sendAnimation(uploadChat.chatId, { source: result.bytes, filename: 'memeloom.mp4' }, { disable_notification: true }),
      );
      await this.showFile(uploaded.animation.file_id);
      this.options.onDelivered(uploaded.animation.file_id, job, result);
      if (this.options.deleteUpload) {
        void outbox.direct(() => telegram.deleteMessage(uploadChat.chatId, uploaded.message_id)).catch(() => undefined);
      }
    } catch (error) {
      log.error('placing an inline result failed', { jobId: job.jobId, error });
      await this.note(codeText('INTERNAL', {}, this.options.language));
    }
  }

  async fail(failure: JobFailure): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.note(failure.text);
  }

  /** Swaps the inline message's content for this animation (a file Telegram already has); the keyboard goes. */
  async showFile(fileId: string): Promise<void> {
    const { telegram, outbox, target, userChat } = this.options;
    this.#done = true;
    await outbox.toChat(userChat, () => telegram.editMessageMedia(undefined, undefined, target.inlineMessageId, { type: 'animation', media: fileId }));
  }

  /** Replaces the "making it" line with `text`; never throws (the message may be gone). */
  async note(text: string): Promise<void> {
    const { telegram, outbox, target, userChat, log } = this.options;
    this.#done = true;
    const extra = { reply_markup: pendingKeyboard() };
    try {
      await outbox.toChat(userChat, async () => {
        if (target.preview === 'media') await telegram.editMessageCaption(undefined, undefined, target.inlineMessageId, text, extra);
        else await telegram.editMessageText(undefined, undefined, target.inlineMessageId, text, extra);
      });
    } catch (error) {
      if (!isNotModified(error)) log.warn('could not put a note on an inline message', { error });
    }
  }
}
