// editMessageMedia and editMessageCaption for the fake Bot API, as the Bot API documents them: the message must
// be the bot's and carry media (a sticker cannot be edited); an InputMedia's file is a new upload named by
// "attach://<part>" in a multipart body, or a file_id; the new media replaces the old one and its caption (absent:
// none); an edit that changes nothing is refused as "message is not modified". Uploads are probed like sends.
import { ApiError, BOT_USER, chatIdOf, checkedUpload, type Handler, inputFile, type MethodCall, NOT_MODIFIED, sameMarkup } from './fake-bot-methods.ts';
import type { FakeBotState, StoredMessage } from './fake-bot-state.ts';

const EDITABLE_MEDIA = new Set(['animation', 'document']);

function editable(state: FakeBotState, call: MethodCall): { chatId: number; stored: StoredMessage } {
  if (call.params.inline_message_id !== undefined) throw new ApiError(400, 'Bad Request: inline messages are not supported by this fake');
  const chatId = chatIdOf(call);
  const stored = state.message(chatId, Number(call.params.message_id));
  if (!stored) throw new ApiError(400, 'Bad Request: message to edit not found');
  if (!stored.media) throw new ApiError(400, 'Bad Request: there is no media in the message to edit');
  if (stored.media.kind === 'sticker') throw new ApiError(400, "Bad Request: message can't be edited");
  return { chatId, stored };
}

function checkCaption(caption: unknown): string | undefined {
  if (caption === undefined) return undefined;
  if (typeof caption !== 'string') throw new ApiError(400, 'Bad Request: caption must be a string');
  if (caption.length > 1024) throw new ApiError(400, 'Bad Request: message caption is too long');
  return caption;
}

async function editMessageMedia(state: FakeBotState, call: MethodCall): Promise<unknown> {
  const { chatId, stored } = editable(state, call);
  const media = call.params.media as Record<string, unknown> | undefined;
  if (!media || typeof media !== 'object') throw new ApiError(400, 'Bad Request: media must be a JSON-serialized InputMedia');
  const type = String(media.type);
  if (!EDITABLE_MEDIA.has(type)) throw new ApiError(400, `Bad Request: this fake edits animation and document media, not ${type}`);
  const ref = String(media.media ?? '');
  // "attach://<name>": the file is the multipart part of that name; anything else is a file_id.
  const part = ref.startsWith('attach://') ? ref.slice('attach://'.length) : undefined;
  if (part !== undefined && !call.files[part]) throw new ApiError(400, `Bad Request: file attach://${part} not found in the request`);
  const field = part ?? 'media';
  const lookup: MethodCall = part !== undefined ? call : { ...call, params: { ...call.params, media: ref } };
  if (type === 'animation') {
    const probe = await checkedUpload(call, field, (p) => !!p.container?.includes('mp4') && p.videoCodec === 'h264' && !p.hasAudio, 'H.264 MP4 without audio');
    if (probe) call.probes.media = probe;
  }
  const { file } = inputFile(state, lookup, field, type === 'animation' ? 'mp4' : 'bin');
  const caption = checkCaption(media.caption);
  if (file.fileId === stored.media!.fileId && caption === stored.caption && sameMarkup(call.params.reply_markup, stored.replyMarkup)) {
    throw new ApiError(400, NOT_MODIFIED);
  }
  stored.media = { kind: type as 'animation' | 'document', fileId: file.fileId };
  stored.caption = caption;
  stored.replyMarkup = call.params.reply_markup;
  const probe = call.probes.media;
  const content = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.fileSize, width: probe?.width ?? 512, height: probe?.height ?? 512, duration: Math.round(probe?.durationSec ?? 1), mime_type: 'video/mp4' };
  return { ...messageOf(state, chatId, stored), [type]: content };
}

function editMessageCaption(state: FakeBotState, call: MethodCall): unknown {
  const { chatId, stored } = editable(state, call);
  const caption = checkCaption(call.params.caption);
  if (caption === stored.caption && sameMarkup(call.params.reply_markup, stored.replyMarkup)) throw new ApiError(400, NOT_MODIFIED);
  stored.caption = caption;
  stored.replyMarkup = call.params.reply_markup;
  return messageOf(state, chatId, stored);
}

function messageOf(state: FakeBotState, chatId: number, stored: StoredMessage): Record<string, unknown> {
  const message: Record<string, unknown> = { message_id: stored.messageId, date: Math.floor(Date.now() / 1000), edit_date: Math.floor(Date.now() / 1000), chat: state.chat(chatId), from: BOT_USER };
  if (stored.caption !== undefined) message.caption = stored.caption;
  if (stored.replyMarkup !== undefined) message.reply_markup = stored.replyMarkup;
  return message;
}

export const MEDIA_EDIT_METHODS: Record<string, Handler> = { editMessageMedia, editMessageCaption };
