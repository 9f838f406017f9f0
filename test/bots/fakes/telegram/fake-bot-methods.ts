// Bot API method semantics for the fake server: the real method names, parameters and result shapes
// (a subset). It validates like Telegram does where our adapter could get it wrong (edits, file ids, media).
import sharp from 'sharp';
import type { FormFile } from './multipart.ts';
import type { FakeBotState, StoredFile } from './fake-bot-state.ts';
import { type MediaProbe, probeMedia, videoStickerProblem } from './media-probe.ts';

export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(`${errorCode}: ${description}`);
  }
}

export interface MethodCall {
  params: Record<string, unknown>;
  files: Record<string, FormFile>;
  /** Filled for uploads so tests can assert on what was sent. */
  probes: Record<string, MediaProbe>;
}

export const BOT_USER = { id: 777000111, is_bot: true, first_name: 'Memeloom', username: 'memeloom_test_bot' };
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const CHAT_ACTIONS = new Set(['typing', 'upload_photo', 'record_video', 'upload_video', 'upload_document', 'choose_sticker']);
export const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export type Handler = (state: FakeBotState, call: MethodCall) => unknown | Promise<unknown>;

export function chatIdOf(call: MethodCall): number {
  const id = Number(call.params.chat_id);
  if (!Number.isFinite(id)) throw new ApiError(400, 'Bad Request: chat not found');
  return id;
}

function baseMessage(state: FakeBotState, chatId: number, call: MethodCall): Record<string, unknown> {
  const messageId = state.allocateMessageId(chatId);
  const message: Record<string, unknown> = {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: state.chat(chatId),
    from: BOT_USER,
  };
  if (call.params.reply_markup !== undefined) message.reply_markup = call.params.reply_markup;
  if (typeof call.params.caption === 'string') message.caption = call.params.caption;
  if (typeof message.caption === 'string' && message.caption.length > 1024) throw new ApiError(400, 'Bad Request: message caption is too long');
  state.storeMessage({ chatId, messageId, replyMarkup: call.params.reply_markup, caption: message.caption as string | undefined, deleted: false });
  return message;
}

/** Records what media a just-sent message carries (for later media and caption edits). */
function withMedia<T extends Record<string, unknown>>(state: FakeBotState, chatId: number, message: T, kind: 'animation' | 'sticker' | 'document', fileId: string): T {
  const stored = state.message(chatId, message.message_id as number);
  if (stored) stored.media = { kind, fileId };
  return message;
}

function sendMessage(state: FakeBotState, call: MethodCall): unknown {
  const text = call.params.text;
  if (typeof text !== 'string' || text.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
  if (text.length > 4096) throw new ApiError(400, 'Bad Request: message is too long');
  const chatId = chatIdOf(call);
  const message = baseMessage(state, chatId, call);
  state.storeMessage({ chatId, messageId: message.message_id as number, text, replyMarkup: call.params.reply_markup, deleted: false });
  return { ...message, text };
}

export function sameMarkup(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function editMessage(state: FakeBotState, call: MethodCall, textChanges: boolean): unknown {
  const chatId = chatIdOf(call);
  const stored = state.message(chatId, Number(call.params.message_id));
  if (!stored) throw new ApiError(400, 'Bad Request: message to edit not found');
  const text = textChanges ? call.params.text : stored.text;
  if (textChanges && (typeof text !== 'string' || text.trim() === '')) throw new ApiError(400, 'Bad Request: message text is empty');
  if (text === stored.text && sameMarkup(call.params.reply_markup, stored.replyMarkup)) throw new ApiError(400, NOT_MODIFIED);
  stored.text = text as string | undefined;
  stored.replyMarkup = call.params.reply_markup;
  return { message_id: stored.messageId, date: Math.floor(Date.now() / 1000), chat: state.chat(chatId), from: BOT_USER, text, reply_markup: call.params.reply_markup };
}

/** Resolves an input file parameter: a new upload, or the file_id of something sent before. */
export function inputFile(state: FakeBotState, call: MethodCall, field: string, extension: string): { file: StoredFile; uploaded: boolean } {
  const upload = call.files[field];
  if (upload) return { file: state.addFile(upload.bytes, { folder: `${field}s`, extension }), uploaded: true };
  const ref = call.params[field];
  const known = typeof ref === 'string' ? state.files.get(ref) : undefined;
  if (!known) throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  return { file: known, uploaded: false };
}

export async function checkedUpload(call: MethodCall, field: string, accept: (p: MediaProbe) => boolean, what: string): Promise<MediaProbe | undefined> {
  const upload = call.files[field];
  if (!upload) return undefined;
  const probe = await probeMedia(upload.bytes);
  call.probes[field] = probe;
  if (!accept(probe)) {
    throw new ApiError(400, `Bad Request: ${field} must be ${what} (got ${probe.container}/${probe.videoCodec}, audio=${probe.hasAudio})`);
  }
  return probe;
}

async function sendAnimation(state: FakeBotState, call: MethodCall): Promise<unknown> {
  const chatId = chatIdOf(call);
  const probe = await checkedUpload(call, 'animation', (p) => !!p.container?.includes('mp4') && p.videoCodec === 'h264' && !p.hasAudio, 'H.264 MP4 without audio');
  const { file } = inputFile(state, call, 'animation', 'mp4');
  const animation = {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    width: probe?.width ?? 512,
    height: probe?.height ?? 512,
    duration: Math.round(probe?.durationSec ?? 1),
    mime_type: 'video/mp4',
    file_size: file.fileSize,
  };
  return withMedia(state, chatId, { ...baseMessage(state, chatId, call), animation }, 'animation', file.fileId);
}

async function sendSticker(state: FakeBotState, call: MethodCall): Promise<unknown> {
  const chatId = chatIdOf(call);
  const probe = await checkedUpload(call, 'sticker', (p) => p.container === 'matroska,webm' && p.videoCodec === 'vp9' && !p.hasAudio, 'a VP9 WebM without audio');
  const { file, uploaded } = inputFile(state, call, 'sticker', 'webm');
  // A WebM that meets the video sticker rules becomes a video sticker whose file_id sticker sets accept.
  if (uploaded && !(await videoStickerProblem(call.files.sticker!.bytes))) state.videoStickerFiles.add(file.fileId);
  const sticker = {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    type: 'regular',
    width: probe?.width ?? 512,
    height: probe?.height ?? 512,
    is_animated: false,
    is_video: true,
    file_size: file.fileSize,
  };
  return withMedia(state, chatId, { ...baseMessage(state, chatId, call), sticker }, 'sticker', file.fileId);
}

/** The Bot API's photo limits: 10 MB, width + height at most 10000, a ratio of at most 20. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

async function sendPhoto(state: FakeBotState, call: MethodCall): Promise<unknown> {
  const chatId = chatIdOf(call);
  const caption = call.params.caption;
  if (typeof caption === 'string' && caption.length > 1024) throw new ApiError(400, 'Bad Request: message caption is too long');
  const upload = call.files.photo;
  let size = { width: 0, height: 0 };
  if (upload) {
    if (upload.bytes.length > MAX_PHOTO_BYTES) throw new ApiError(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
    const meta = await sharp(upload.bytes).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height || !['jpeg', 'png', 'webp'].includes(meta.format ?? '')) throw new ApiError(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    if (meta.width + meta.height > 10_000 || Math.max(meta.width, meta.height) > 20 * Math.min(meta.width, meta.height)) {
      throw new ApiError(400, 'Bad Request: PHOTO_INVALID_DIMENSIONS');
    }
    size = { width: meta.width, height: meta.height };
  }
  const { file } = inputFile(state, call, 'photo', 'jpg');
  const photo = [{ file_id: file.fileId, file_unique_id: file.fileUniqueId, width: size.width, height: size.height, file_size: file.fileSize }];
  return { ...baseMessage(state, chatId, call), photo };
}

function sendDocument(state: FakeBotState, call: MethodCall): unknown {
  const chatId = chatIdOf(call);
  const upload = call.files.document;
  const { file } = inputFile(state, call, 'document', upload?.filename.split('.').pop() ?? 'bin');
  const document = {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_name: upload?.filename ?? file.filePath.split('/').pop(),
    mime_type: upload?.contentType,
    file_size: file.fileSize,
  };
  return withMedia(state, chatId, { ...baseMessage(state, chatId, call), document }, 'document', file.fileId);
}

function getFile(state: FakeBotState, call: MethodCall): unknown {
  const file = state.files.get(String(call.params.file_id));
  if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
  if (file.fileSize > MAX_DOWNLOAD_BYTES) throw new ApiError(400, 'Bad Request: file is too big');
  return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.fileSize, file_path: file.filePath };
}

function setMyCommands(_state: FakeBotState, call: MethodCall): unknown {
  const commands = call.params.commands;
  if (!Array.isArray(commands)) throw new ApiError(400, 'Bad Request: commands must be an array');
  for (const c of commands as Array<{ command?: unknown; description?: unknown }>) {
    if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
    if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
      throw new ApiError(400, 'Bad Request: command description is empty');
    }
  }
  return true;
}

export const METHODS: Record<string, Handler> = {
  getMe: () => ({ ...BOT_USER, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true }),
  deleteWebhook: () => true,
  setWebhook: (_s, call) => {
    if (typeof call.params.url !== 'string') throw new ApiError(400, 'Bad Request: bad webhook: url is empty');
    return true;
  },
  setMyCommands,
  getFile,
  sendMessage,
  editMessageText: (state, call) => editMessage(state, call, true),
  editMessageReplyMarkup: (state, call) => editMessage(state, call, false),
  answerCallbackQuery: (_s, call) => {
    if (typeof call.params.callback_query_id !== 'string') throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    return true;
  },
  sendChatAction: (_s, call) => {
    chatIdOf(call);
    if (!CHAT_ACTIONS.has(String(call.params.action))) throw new ApiError(400, 'Bad Request: wrong parameter action in request');
    return true;
  },
  sendAnimation,
  sendPhoto,
  sendSticker,
  sendDocument,
  deleteMessage: (state, call) => {
    const stored = state.message(chatIdOf(call), Number(call.params.message_id));
    if (!stored) throw new ApiError(400, 'Bad Request: message to delete not found');
    stored.deleted = true;
    return true;
  },
};
