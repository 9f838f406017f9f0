// Builds the updates a person would cause (messages with photos, captions, replies, button taps) in the real
// Bot API JSON shapes and queues them on the fake server. Test-only; knows nothing of Memeloom.
import type { FakeChat } from './fake-bot-state.ts';
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

  /** Taps an inline button on a bot message; `message` is the result of the sendMessage/edit call. */
  tap(message: Record<string, unknown>, data: string): string {
    const id = `${this.id}-${this.nextCallback++}`;
    this.fake.pushUpdate({
      callback_query: { id, from: this.from, message: { ...message, chat: this.chat }, chat_instance: `ci${this.chat.id}`, data },
    });
    return id;
  }
}

/** Every callback_data on a message's inline keyboard, with its button text. */
export function buttonsOf(markup: unknown): Array<{ text: string; data: string }> {
  const rows = (markup as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined)?.inline_keyboard ?? [];
  return rows.flat().flatMap((b) => (b.callback_data ? [{ text: b.text, data: b.callback_data }] : []));
}
