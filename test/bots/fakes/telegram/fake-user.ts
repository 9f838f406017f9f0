// Builds the updates a person would cause (messages with photos, captions, replies, button taps, inline queries
// and chosen inline results) in the real Bot API JSON shapes and queues them on the fake server. Test-only;
// knows nothing of Memeloom.
import type { FakeChat, FakeInlineMessage } from './fake-bot-state.ts';
import type { FakeTelegramServer } from './fake-telegram-server.ts';

export type FakeMessage = Record<string, unknown> & { message_id: number; chat: FakeChat };

export interface SendOptions {
  caption?: string;
  replyTo?: FakeMessage;
}

function commandEntities(text: string): Array<{ type: string; offset: number; length: number }> {
  const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
  return command ? [{ type: 'bot_command', offset: 0, length: command[0].length }] : [];
}

export class FakeUser {
  readonly from: { id: number; is_bot: false; first_name: string; username: string };
  private nextCallback = 1;

  constructor(
    private readonly fake: FakeTelegramServer,
    readonly id: number,
    readonly chat: FakeChat,
  ) {
    this.from = { id, is_bot: false, first_name: `User${id}`, username: `user${id}` };
    fake.state.rememberChat(chat);
  }

  /** A private chat with the bot (chat id = user id), or a member of a group chat. */
  static inPrivate(fake: FakeTelegramServer, id: number): FakeUser {
    return new FakeUser(fake, id, { id, type: 'private', first_name: `User${id}` });
  }

  static inGroup(fake: FakeTelegramServer, id: number, groupId: number): FakeUser {
    return new FakeUser(fake, id, { id: groupId, type: 'supergroup', title: 'Meme group' });
  }

  private message(fields: Record<string, unknown>, options: SendOptions = {}): FakeMessage {
    const message: FakeMessage = {
      message_id: this.fake.state.allocateMessageId(this.chat.id),
      date: Math.floor(Date.now() / 1000),
      chat: this.chat,
      from: this.from,
      ...fields,
    };
    if (options.caption !== undefined) {
      message.caption = options.caption;
      const entities = commandEntities(options.caption);
      if (entities.length > 0) message.caption_entities = entities;
    }
    if (options.replyTo) message.reply_to_message = options.replyTo;
    this.fake.pushUpdate({ message });
    return message;
  }

  sendText(text: string, options: SendOptions = {}): FakeMessage {
    const entities = commandEntities(text);
    return this.message({ text, ...(entities.length > 0 ? { entities } : {}) }, options);
  }

  /**
   * A compressed photo. `reportedSize` overrides the size Telegram reports (in the update when `inUpdate`,
   * always in getFile) to simulate huge files without allocating them.
   */
  sendPhoto(bytes: Buffer, options: SendOptions & { reportedSize?: number; sizeInUpdate?: boolean } = {}): FakeMessage {
    const file = this.fake.addFile(bytes, { folder: 'photos', extension: 'jpg', fileSize: options.reportedSize });
    const size: Record<string, unknown> = { file_id: file.fileId, file_unique_id: file.fileUniqueId, width: 512, height: 512 };
    if (options.sizeInUpdate !== false) size.file_size = file.fileSize;
    return this.message({ photo: [size] }, options);
  }

  /** A file sent "as a file" (no compression): Telegram passes on the name and the MIME type the client guessed. */
  sendDocument(bytes: Buffer, fileName: string, mimeType: string, options: SendOptions & { reportedSize?: number } = {}): FakeMessage {
    const extension = fileName.includes('.') ? fileName.split('.').pop() : 'bin';
    const file = this.fake.addFile(bytes, { folder: 'documents', extension, fileSize: options.reportedSize });
    const document = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_name: fileName, mime_type: mimeType, file_size: file.fileSize };
    return this.message({ document }, options);
  }

  sendVideo(bytes: Buffer, options: SendOptions = {}): FakeMessage {
    const file = this.fake.addFile(bytes, { folder: 'videos', extension: 'mp4' });
    const video = { file_id: file.fileId, file_unique_id: file.fileUniqueId, width: 512, height: 512, duration: 3, mime_type: 'video/mp4', file_size: file.fileSize };
    return this.message({ video }, options);
  }

  /** Types `@bot <query>` in a chat: an inline_query update; returns its id (answerInlineQuery refers to it). */
  inlineQuery(query: string, chatType: 'sender' | 'private' | 'group' | 'supergroup' = 'supergroup'): string {
    // Unique across every FakeUser of this server (tests make several for the same person).
    const id = `iq${this.id}-${this.fake.state.inlineQueries.size + 1}`;
    this.fake.state.inlineQueries.set(id, { id, from: this.from, query });
    this.fake.pushUpdate({ inline_query: { id, from: this.from, query, offset: '', chat_type: chatType } });
    return id;
  }

  /**
   * Picks one of the bot's answers to an inline query: the message it describes is sent into the chat "via
   * @bot", and a chosen_inline_result update follows (inline feedback on). As on Telegram, the update carries
   * an inline_message_id only when the result had an inline keyboard: without one the bot cannot edit it.
   */
  chooseInlineResult(queryId: string, resultId: string): ChosenInline {
    const query = this.fake.state.inlineQueries.get(queryId);
    const result = query?.answer?.results.find((r) => r.id === resultId);
    if (!query || !result) throw new Error(`fake user: no answered result ${resultId} for query ${queryId}`);
    const content = result.input_message_content as { message_text?: string } | undefined;
    const fileId = (result.mpeg4_file_id ?? result.gif_file_id) as string | undefined;
    const url = (result.mpeg4_url ?? result.gif_url) as string | undefined;
    const message: FakeInlineMessage = content?.message_text
      ? { kind: 'text', text: content.message_text, replyMarkup: result.reply_markup, edits: 0 }
      : { kind: 'animation', fileId, url, caption: result.caption as string | undefined, replyMarkup: result.reply_markup, edits: 0 };
    const serial = this.fake.state.inlineMessages.size + 1;
    const inlineMessageId = result.reply_markup ? `im${this.id}-${serial}` : undefined;
    message.inlineMessageId = inlineMessageId;
    this.fake.state.inlineMessages.set(inlineMessageId ?? `not-editable-${serial}`, message);
    const chosen: Record<string, unknown> = { result_id: resultId, from: this.from, query: query.query };
    if (inlineMessageId) chosen.inline_message_id = inlineMessageId;
    this.fake.pushUpdate({ chosen_inline_result: chosen });
    return { inlineMessageId, message };
  }

  /** Taps an inline button on a bot message; `message` is the result of the sendMessage/edit call. */
  tap(message: Record<string, unknown>, data: string): string {
    const id = `${this.id}-${this.nextCallback++}`;
    this.fake.pushUpdate({
      callback_query: { id, from: this.from, message: { ...message, chat: this.chat }, chat_instance: `ci${this.chat.id}`, data },
    });
    return id;
  }
}

/** What choosing an inline result made: the message sent via the bot (and its id, when the bot may edit it). */
export interface ChosenInline {
  inlineMessageId?: string;
  message: FakeInlineMessage;
}

/** Every callback_data on a message's inline keyboard, with its button text. */
export function buttonsOf(markup: unknown): Array<{ text: string; data: string }> {
  const rows = (markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard ?? [];
  return rows.flat().flatMap((b) => (b.callback_data ? [{ text: b.text, data: b.callback_data }] : []));
}
