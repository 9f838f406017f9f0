// The answer to an inline query (`@bot smug`) as Bot API JSON: the templates matching the query, each as a result
// for the user's latest photo, and the result ids that say what a chosen result needs. Pure: the caller looks up
// previews and cached memes and sends the answer.
//
// Result kinds (Bot API InlineQueryResult*):
// - the meme is already in Telegram (its file_id is known): InlineQueryResultCachedMpeg4Gif, sent as it is;
// - otherwise the template's preview with an inline keyboard, so the chosen_inline_result update carries an
//   inline_message_id and the render can replace it (editMessageMedia): InlineQueryResultCachedMpeg4Gif by the
//   preview's file_id (TELEGRAM_MEDIA_CHAT_ID), InlineQueryResultGif by URL (TELEGRAM_PREVIEW_BASE_URL), or,
//   needing neither an upload nor a public URL, InlineQueryResultArticle (a text message the media is added to).
import type { InlineQueryResult } from 'telegraf/types';
import type { TemplateInfo } from '../../templates/template-types.ts';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { TEXTS } from './telegram-texts.ts';

/** answerInlineQuery takes at most 50 results. */
export const MAX_INLINE_RESULTS = 50;
/** Result ids are 1-64 bytes. */
const MAX_RESULT_ID_BYTES = 64;

/** How the results list shows a template before its meme exists. */
export type TemplatePreview = { fileId: string } | { url: string; thumbnailUrl: string } | undefined;

/** What an inline result id says: the meme is cached (`cached`), or to render with a media or a text preview. */
interface InlineResultRef {
  kind: 'cached' | 'media' | 'text';
  templateId: string;
  photoKey: string;
}

const TAGS = { cached: 'c', media: 'm', text: 'a' } as const;
const KIND_BY_TAG: Record<string, InlineResultRef['kind']> = { c: 'cached', m: 'media', a: 'text' };

function encodeResultId(ref: InlineResultRef): string {
  const id = `${TAGS[ref.kind]}|${ref.templateId}|${ref.photoKey}`;
  if (Buffer.byteLength(id) > MAX_RESULT_ID_BYTES) throw new Error(`inline result id over 64 bytes: ${id}`);
  return id;
}

export function decodeResultId(id: string): InlineResultRef | undefined {
  const [tag, templateId, photoKey, extra] = id.split('|');
  const kind = tag ? KIND_BY_TAG[tag] : undefined;
  if (!kind || !templateId || !photoKey || extra !== undefined) return undefined;
  return { kind, templateId, photoKey };
}

/** The keyboard a pending inline meme carries: it is what makes Telegram hand over its inline_message_id. */
export function pendingKeyboard(): InlineKeyboardMarkup {
  return { inline_keyboard: [[{ text: TEXTS.buttons.anotherTemplate, switch_inline_query_current_chat: '' }]] };
}

interface ResultInputs {
  template: TemplateInfo;
  photoKey: string;
  /** The file_id of this meme when Telegram already has it. */
  memeFileId?: string;
  preview: TemplatePreview;
}

export function inlineResult({ template, photoKey, memeFileId, preview }: ResultInputs): InlineQueryResult {
  const title = template.title;
  if (memeFileId) {
    return { type: 'mpeg4_gif', id: encodeResultId({ kind: 'cached', templateId: template.id, photoKey }), mpeg4_file_id: memeFileId, title };
  }
  const pending = { caption: TEXTS.inline.making(title), reply_markup: pendingKeyboard(), title };
  if (preview && 'fileId' in preview) {
    return { type: 'mpeg4_gif', id: encodeResultId({ kind: 'media', templateId: template.id, photoKey }), mpeg4_file_id: preview.fileId, ...pending };
  }
  if (preview) {
    const id = encodeResultId({ kind: 'media', templateId: template.id, photoKey });
    return { type: 'gif', id, gif_url: preview.url, thumbnail_url: preview.thumbnailUrl, thumbnail_mime_type: 'image/gif', ...pending };
  }
  return {
    type: 'article',
    id: encodeResultId({ kind: 'text', templateId: template.id, photoKey }),
    title,
    description: TEXTS.inline.description(template),
    input_message_content: { message_text: pending.caption },
    reply_markup: pending.reply_markup,
  };
}
