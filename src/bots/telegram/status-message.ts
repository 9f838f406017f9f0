// One status message that follows a job ("In line: #2" → "Animating… 40%" → removed or final text).
// Edits are coalesced: while one waits for its flood-limit slot, newer text replaces older, so a burst
// of progress events costs one edit. It never sends results.
import type { Telegram } from 'telegraf';
import { type Logger, silentLogger } from '../logger.ts';
import { isNotModified, type ChatTarget, type TelegramOutbox } from './telegram-outbox.ts';

export interface StatusMessageOptions {
  /** Edit this existing bot message (e.g. the picker the user tapped) instead of sending a new one. */
  messageId?: number;
  /** When sending a new message, reply to this one. */
  replyToMessageId?: number;
  log?: Logger;
}

export class StatusMessage {
  private messageId: number | undefined;
  private desired: string | undefined;
  private shown: string | undefined;
  private pumping: Promise<void> | undefined;
  private broken = false;

  constructor(
    private readonly telegram: Telegram,
    private readonly outbox: TelegramOutbox,
    readonly chat: ChatTarget,
    private readonly options: StatusMessageOptions = {},
  ) {
    this.messageId = options.messageId;
  }

  /** The message's id once it exists (sent, or given to edit). */
  get id(): number | undefined {
    return this.messageId;
  }

  /** Resolves once the edits asked for so far have been made (or given up). */
  async whenShown(): Promise<void> {
    await this.settled();
  }

  /** Shows `text` as soon as the flood limits allow; an intermediate text may be skipped. */
  update(text: string): void {
    this.desired = text;
    this.pumping ??= this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  /** Sets the final text and waits until it is shown. */
  async finish(text: string): Promise<void> {
    this.update(text);
    await this.settled();
  }

  /** Waits for pending edits, then deletes the message (the result replaces it). */
  async remove(): Promise<void> {
    this.desired = undefined;
    await this.settled();
    const messageId = this.messageId;
    if (messageId === undefined) return;
    this.messageId = undefined;
    await this.outbox.direct(() => this.telegram.deleteMessage(this.chat.chatId, messageId)).catch(() => {
      // Already gone (the user deleted it): nothing to do.
    });
  }

  private async settled(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    while (!this.broken && this.desired !== undefined && this.desired !== this.shown) {
      await this.outbox.toChat(this.chat, () => this.show()).catch((error: unknown) => {
        if (isNotModified(error)) {
          this.shown = this.desired;
          return;
        }
        // A status line is not worth failing a job over: stop editing, the result still gets sent.
        this.broken = true;
        (this.options.log ?? silentLogger).warn('status message update failed', { chatId: this.chat.chatId, error });
      });
    }
  }

  /** Runs when the flood-limit slot comes, so it sends the newest text, not the one that queued the slot. */
  private async show(): Promise<void> {
    const text = this.desired;
    if (text === undefined || text === this.shown) return;
    if (this.messageId === undefined) {
      const sent = await this.telegram.sendMessage(this.chat.chatId, text, {
        reply_parameters: this.options.replyToMessageId
          ? { message_id: this.options.replyToMessageId, allow_sending_without_reply: true }
          : undefined,
      });
      this.messageId = sent.message_id;
    } else {
      // No reply_markup: the edit also drops the picker keyboard the message may have had.
      await this.telegram.editMessageText(this.chat.chatId, this.messageId, undefined, text);
    }
    this.shown = text;
  }
}
