// One preview in a Telegram chat (bots/upgrade/): the warp animation sent with the caption "HD version on the way…"
// and a "Keep this one" button; the caption follows the HD job's place in line and progress (edits paced by the
// outbox as status changes, so a chat never gets a message for them); then the same message either gets the HD
// animation through editMessageMedia (a new upload, InputMediaAnimation by attach://) or keeps the preview with a
// note. Either way the usual result buttons replace "Keep this one". It decides nothing about the job.
import type { Telegram } from 'telegraf';
import type { Message } from 'telegraf/types';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { hdStatusText } from '../messages.ts';
import type { MessageKind } from '../pacing/pace-rule.ts';
import type { ProgressUpdate } from '../service-types.ts';
import { type InlineKeyboard, keepButton } from './inline-keyboards.ts';
import { type SentResult, sendResult } from './result-sender.ts';
import { type ChatTarget, isNotModified, retryAfterMs, type TelegramOutbox } from './telegram-outbox.ts';

interface PreviewMessageDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  chat: ChatTarget;
  language?: string;
}

export class PreviewMessage {
  /** The caption on the message now, and the one the next paced edit will show. */
  #shown: string;
  #wanted: string;
  #kind: MessageKind = 'waiting';
  #over = false;

  private constructor(
    private readonly deps: PreviewMessageDeps,
    /** The request the preview belongs to ("Keep this one" names it). */
    readonly requestId: string,
    readonly messageId: number,
    caption: string,
  ) {
    this.#shown = caption;
    this.#wanted = caption;
    // The HD version is still owed to the chat: progress edits leave room for it in a group's budget.
    deps.outbox.owe(deps.chat, +1);
  }

  /** Sends the preview as an animation replying to `replyToMessageId`. */
  static async send(deps: PreviewMessageDeps, requestId: string, result: MemeResult, replyToMessageId: number | undefined): Promise<{ preview: PreviewMessage; sent: SentResult }> {
    const caption = hdStatusText(undefined, deps.language);
    const sent = await sendResult(deps.telegram, deps.outbox, deps.chat, { bytes: result.bytes }, result.format, {
      replyToMessageId,
      caption,
      replyMarkup: keepButton(requestId),
    });
    return { preview: new PreviewMessage(deps, requestId, sent.messageId, caption), sent };
  }

  /** A preview sent before a restart, found again through the HD job's route. */
  static resumed(deps: PreviewMessageDeps, requestId: string, messageId: number): PreviewMessage {
    return new PreviewMessage(deps, requestId, messageId, '');
  }

  /** The HD job moved in line or progressed: the caption says so when the chat's pace allows. */
  showHd(update: ProgressUpdate): void {
    if (this.#over) return;
    this.#wanted = hdStatusText(update, this.deps.language);
    this.#kind = update.stage === undefined ? 'waiting' : 'progress';
    void this.deps.outbox.status(this.deps.chat, this.#statusKey, () => this.#showCaption(), () => this.#kind).catch(() => {
      // A caption is not worth failing the upgrade over.
    });
  }

  /** The HD animation in place of the preview (its caption only the result's notes, if any), with the result's buttons. */
  async replaceWith(result: MemeResult, buttons: InlineKeyboard, caption?: string): Promise<SentResult> {
    await this.#end();
    const media = { type: 'animation' as const, media: { source: result.bytes, filename: 'memeloom.mp4' }, ...(caption ? { caption } : {}) };
    const edited = await this.deps.outbox.toChat(this.deps.chat, () =>
      this.deps.telegram.editMessageMedia(this.deps.chat.chatId, this.messageId, undefined, media, { reply_markup: buttons }),
    );
    const animation = typeof edited === 'object' ? (edited as Message.AnimationMessage).animation : undefined;
    return { messageId: this.messageId, fileId: animation?.file_id ?? '' };
  }

  /** The preview stays, its caption a note of why, with the result's buttons. */
  async keep(note: string, buttons: InlineKeyboard): Promise<void> {
    await this.#end();
    await this.deps.outbox
      .toChat(this.deps.chat, () => this.deps.telegram.editMessageCaption(this.deps.chat.chatId, this.messageId, undefined, note, { reply_markup: buttons }))
      .catch((error: unknown) => {
        if (!isNotModified(error)) throw error;
      });
  }

  get #statusKey(): string {
    return `preview:${this.messageId}`;
  }

  async #end(): Promise<void> {
    if (this.#over) return;
    this.#over = true;
    // Let a caption edit on its way land first, so the last word is the upgrade or the note.
    await this.deps.outbox.quiet(this.deps.chat, this.#statusKey);
    this.deps.outbox.owe(this.deps.chat, -1);
  }

  async #showCaption(): Promise<boolean> {
    const caption = this.#wanted;
    if (this.#over || caption === this.#shown) return false;
    try {
      await this.deps.telegram.editMessageCaption(this.deps.chat.chatId, this.messageId, undefined, caption, { reply_markup: keepButton(this.requestId) });
    } catch (error) {
      if (retryAfterMs(error) !== undefined) throw error; // the outbox waits and retries
      if (!isNotModified(error)) return false;
    }
    this.#shown = caption;
    return true;
  }
}
