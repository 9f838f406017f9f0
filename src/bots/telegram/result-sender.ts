// Sends a finished meme in the Telegram form that suits its format: MP4 → sendAnimation (loops like a GIF),
// WebM → sendSticker (video sticker), GIF → sendDocument (kept as a file). Bytes or a cached file_id.
import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { ReplyParameters } from 'telegraf/types';
import type { OutputFormat } from '../../pipeline/types.ts';
import type { InlineKeyboard } from './inline-keyboards.ts';
import type { ChatTarget, TelegramOutbox } from './telegram-outbox.ts';

type ResultMedia = { bytes: Buffer } | { fileId: string };

interface SendResultOptions {
  replyToMessageId?: number;
  replyMarkup?: InlineKeyboard;
  /** Under an animation or document (a preview says its HD version is on the way). */
  caption?: string;
}

export interface SentResult {
  messageId: number;
  /** The file_id Telegram gave the upload; re-sending by it needs no upload. */
  fileId: string;
}

const FILE_NAMES: Record<OutputFormat, string> = { mp4: 'memeloom.mp4', webm: 'memeloom.webm', gif: 'memeloom.gif' };

function inputOf(media: ResultMedia, format: OutputFormat): string | { source: Buffer; filename: string } {
  return 'fileId' in media ? media.fileId : { source: media.bytes, filename: FILE_NAMES[format] };
}

/**
 * telegraf 4.16 serialises only some object fields into multipart uploads and silently drops the rest,
 * reply_parameters among them; the Bot API accepts that field as a JSON string, so uploads send it as one.
 */
export function replyParameters(replyToMessageId: number | undefined, multipart: boolean): ReplyParameters | undefined {
  if (!replyToMessageId) return undefined;
  const parameters: ReplyParameters = { message_id: replyToMessageId, allow_sending_without_reply: true };
  return multipart ? (JSON.stringify(parameters) as unknown as ReplyParameters) : parameters;
}

async function sendOnce(telegram: Telegram, chatId: number, media: ResultMedia, format: OutputFormat, options: SendResultOptions): Promise<SentResult> {
  const extra = {
    caption: options.caption,
    reply_markup: options.replyMarkup,
    reply_parameters: replyParameters(options.replyToMessageId, 'bytes' in media),
  };
  const input = inputOf(media, format);
  if (format === 'mp4') {
    const sent = await telegram.sendAnimation(chatId, input, extra);
    return { messageId: sent.message_id, fileId: sent.animation.file_id };
  }
  if (format === 'webm') {
    // Stickers take no reply_markup buttons worth having; keep the reply so it is clear what it belongs to.
    const sent = await telegram.sendSticker(chatId, input, { reply_parameters: extra.reply_parameters });
    return { messageId: sent.message_id, fileId: sent.sticker.file_id };
  }
  const sent = await telegram.sendDocument(chatId, input, extra);
  return { messageId: sent.message_id, fileId: sent.document.file_id };
}

export async function sendResult(
  telegram: Telegram,
  outbox: TelegramOutbox,
  chat: ChatTarget,
  media: ResultMedia,
  format: OutputFormat,
  options: SendResultOptions = {},
): Promise<SentResult> {
  try {
    return await outbox.toChat(chat, () => sendOnce(telegram, chat.chatId, media, format, options));
  } catch (error) {
    // Telegram is strict about video stickers (512 px side, ≤ 3 s); fall back to the WebM as a file.
    if (format === 'webm' && 'bytes' in media && error instanceof TelegramError && error.code === 400) {
      const sent = await outbox.toChat(chat, () =>
        telegram.sendDocument(chat.chatId, { source: media.bytes, filename: FILE_NAMES.webm }, {
          reply_parameters: replyParameters(options.replyToMessageId, true),
        }),
      );
      return { messageId: sent.message_id, fileId: sent.document.file_id };
    }
    throw error;
  }
}
