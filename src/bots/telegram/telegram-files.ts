// Finds the photo or clip in a Telegram message and downloads it with getFile within the caller's byte limit
// (never over the Bot API's 20 MB getFile cap).
// Size problems become InputErrors the user can read; nothing here renders or replies.
import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Message } from 'telegraf/types';
import { InputError, type InputErrorCode, MemeError } from '../../errors.ts';
import { MAX_DOWNLOAD_BYTES } from './telegram-config.ts';
import type { TelegramOutbox } from './telegram-outbox.ts';

export interface FileRef {
  fileId: string;
  /** Stable across re-sends of the same file: the key of the file_id result cache. */
  uniqueId: string;
  sizeBytes?: number;
  mime?: string;
}

function isClipMime(mime: string | undefined): boolean {
  return /^(video\/|image\/gif)/.test(mime ?? '');
}

export function photoOf(message: Message | undefined): FileRef | undefined {
  if (!message) return undefined;
  if ('photo' in message && message.photo.length > 0) {
    // Sizes come smallest first; the last is the original resolution.
    const best = message.photo[message.photo.length - 1]!;
    return { fileId: best.file_id, uniqueId: best.file_unique_id, sizeBytes: best.file_size, mime: 'image/jpeg' };
  }
  // Any other file sent as a document is a photo candidate: its bytes decide (a PDF or a HEIC gets "not a photo
  // I can read" from the checks), rather than the bot ignoring it or guessing from the name.
  if ('document' in message && !('animation' in message) && !isClipMime(message.document.mime_type)) {
    const d = message.document;
    return { fileId: d.file_id, uniqueId: d.file_unique_id, sizeBytes: d.file_size, mime: d.mime_type };
  }
  return undefined;
}

export function clipOf(message: Message | undefined): FileRef | undefined {
  if (!message) return undefined;
  if ('animation' in message) {
    const a = message.animation;
    return { fileId: a.file_id, uniqueId: a.file_unique_id, sizeBytes: a.file_size, mime: a.mime_type };
  }
  if ('video' in message) {
    const v = message.video;
    return { fileId: v.file_id, uniqueId: v.file_unique_id, sizeBytes: v.file_size, mime: v.mime_type };
  }
  if ('video_note' in message) {
    const v = message.video_note;
    return { fileId: v.file_id, uniqueId: v.file_unique_id, sizeBytes: v.file_size, mime: 'video/mp4' };
  }
  if ('document' in message && isClipMime(message.document.mime_type)) {
    const d = message.document;
    return { fileId: d.file_id, uniqueId: d.file_unique_id, sizeBytes: d.file_size, mime: d.mime_type };
  }
  return undefined;
}

function tooLarge(code: InputErrorCode, bytes: number | undefined, maxBytes: number): InputError {
  return new InputError(code, `file of ${bytes ?? 'more than'} bytes, over the ${maxBytes}-byte limit`, { bytes, maxBytes });
}

async function readCapped(response: Response, maxBytes: number, code: InputErrorCode): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(code, undefined, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Downloads a file via getFile and the file path. `tooLargeCode` is IMAGE_TOO_LARGE or VIDEO_TOO_LARGE, used
 * when the size Telegram reports (in the update or from getFile) or the bytes themselves pass `limitBytes`
 * (the configured limit, held to the Bot API's 20 MB; the message names the smaller of the two).
 */
export async function downloadFile(telegram: Telegram, outbox: TelegramOutbox, ref: FileRef, tooLargeCode: InputErrorCode, limitBytes: number): Promise<Buffer> {
  const maxBytes = Math.min(limitBytes, MAX_DOWNLOAD_BYTES);
  if (ref.sizeBytes !== undefined && ref.sizeBytes > maxBytes) throw tooLarge(tooLargeCode, ref.sizeBytes, maxBytes);
  let file: Awaited<ReturnType<Telegram['getFile']>>;
  try {
    file = await outbox.direct(() => telegram.getFile(ref.fileId));
  } catch (error) {
    // The Bot API refuses getFile over 20 MB with this description rather than reporting the size.
    if (error instanceof TelegramError && /file is too big/i.test(error.description)) throw tooLarge(tooLargeCode, ref.sizeBytes, maxBytes);
    throw error;
  }
  if (file.file_size !== undefined && file.file_size > maxBytes) throw tooLarge(tooLargeCode, file.file_size, maxBytes);
  if (!file.file_path) throw new MemeError('INTERNAL', 'getFile returned no file_path');
  const link = await telegram.getFileLink(file);
  const response = await fetch(link);
  if (!response.ok || !response.body) throw new MemeError('INTERNAL', `file download failed: HTTP ${response.status}`);
  return readCapped(response, maxBytes, tooLargeCode);
}
