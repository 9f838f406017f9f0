// The fake Bot API's memory: files (getFile + download), chats, the bot's sent messages and the update queue.
// Pure bookkeeping; HTTP lives in fake-telegram-server.ts and method semantics in fake-bot-methods.ts.
import { createHash } from 'node:crypto';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  /** What getFile reports; may exceed bytes.length to simulate huge uploads without allocating them. */
  fileSize: number;
  filePath: string;
  bytes: Buffer;
}

export interface FakeChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
}

export interface StoredMessage {
  chatId: number;
  messageId: number;
  text?: string;
  replyMarkup?: unknown;
  /** What media the message carries (editMessageMedia and editMessageCaption need one), and its caption. */
  media?: { kind: 'animation' | 'sticker' | 'document'; fileId: string };
  caption?: string;
  deleted: boolean;
}

/** An inline query the fake user typed, and the bot's answer once it came. */
export interface FakeInlineQuery {
  id: string;
  from: Record<string, unknown>;
  query: string;
  answer?: { results: Array<Record<string, unknown>>; cacheTime?: number; isPersonal?: boolean; button?: Record<string, unknown> };
}

/** A message sent "via @bot" from an inline result; only its inline_message_id reaches the bot. */
export interface FakeInlineMessage {
  inlineMessageId?: string;
  /** What it shows: a text (article results) or an animation (file_id or URL). */
  kind: 'text' | 'animation';
  text?: string;
  caption?: string;
  fileId?: string;
  url?: string;
  replyMarkup?: unknown;
  edits: number;
}

export interface FakeStickerSet {
  name: string;
  title: string;
  ownerId: number;
  stickerType: string;
  stickers: Array<{ fileId: string; fileUniqueId: string; format: string; emojiList: string[] }>;
}

export interface Waiter {
  resolve: () => void;
}

export class FakeBotState {
  readonly files = new Map<string, StoredFile>();
  readonly chats = new Map<number, FakeChat>();
  readonly messages = new Map<string, StoredMessage>();
  readonly updates: Array<Record<string, unknown> & { update_id: number }> = [];
  readonly waiters = new Set<Waiter>();
  readonly inlineQueries = new Map<string, FakeInlineQuery>();
  readonly inlineMessages = new Map<string, FakeInlineMessage>();
  /** By lower-cased name: Telegram compares set names case-insensitively. */
  readonly stickerSets = new Map<string, FakeStickerSet>();
  /** Names once used (a deleted set's name stays taken), lower-cased. */
  readonly usedSetNames = new Set<string>();
  /** file_ids that passed the video sticker checks (uploadStickerFile with sticker_format=video). */
  readonly videoStickerFiles = new Set<string>();
  private nextUpdateId = 1;
  private nextFile = 1;
  private readonly nextMessageId = new Map<number, number>();

  addFile(bytes: Buffer, options: { fileSize?: number; extension?: string; folder?: string } = {}): StoredFile {
    const n = this.nextFile++;
    const digest = createHash('sha256').update(bytes).digest('hex');
    const file: StoredFile = {
      fileId: `F${n}_${digest.slice(0, 12)}`,
      // Telegram's file_unique_id is stable for the same file; here it follows the content.
      fileUniqueId: `U${digest.slice(0, 16)}`,
      fileSize: options.fileSize ?? bytes.length,
      filePath: `${options.folder ?? 'documents'}/file_${n}.${options.extension ?? 'bin'}`,
      bytes,
    };
    this.files.set(file.fileId, file);
    return file;
  }

  fileByPath(filePath: string): StoredFile | undefined {
    for (const file of this.files.values()) if (file.filePath === filePath) return file;
    return undefined;
  }

  rememberChat(chat: FakeChat): void {
    this.chats.set(chat.id, chat);
  }

  chat(chatId: number): FakeChat {
    return this.chats.get(chatId) ?? { id: chatId, type: chatId < 0 ? 'group' : 'private' };
  }

  /** Allocates the next message id in a chat; user messages and bot messages share the sequence. */
  allocateMessageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  storeMessage(message: StoredMessage): void {
    this.messages.set(`${message.chatId}:${message.messageId}`, message);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    const found = this.messages.get(`${chatId}:${messageId}`);
    return found && !found.deleted ? found : undefined;
  }

  enqueueUpdate(update: Record<string, unknown>): number {
    const updateId = this.nextUpdateId++;
    this.updates.push({ ...update, update_id: updateId });
    for (const waiter of [...this.waiters]) waiter.resolve();
    return updateId;
  }

  /** getUpdates semantics: an offset confirms (drops) every update below it. */
  takeUpdates(offset: number, limit: number): Array<Record<string, unknown>> {
    while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift();
    return this.updates.slice(0, limit);
  }
}
