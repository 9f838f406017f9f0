// Inline mode in the fake Bot API: answerInlineQuery (validated as Telegram documents it: at most 50 results,
// unique ids of 1-64 bytes, the fields each result type needs, the results button), and edits of messages sent
// via the bot, addressed by inline_message_id (editMessageMedia, editMessageText, editMessageCaption).
// "When an inline message is edited, a new file can't be uploaded" (Bot API, editMessageMedia): refused here too.
import { ApiError, type MethodCall } from './fake-bot-methods.ts';
import type { FakeBotState, FakeInlineMessage } from './fake-bot-state.ts';

const MAX_RESULTS = 50;
const START_PARAMETER = /^[A-Za-z0-9_-]{1,64}$/;
const NOT_MODIFIED = 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

type Handler = (state: FakeBotState, call: MethodCall) => unknown;

function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value);
}

function knownFile(state: FakeBotState, value: unknown): boolean {
  return typeof value === 'string' && state.files.has(value);
}

/** InlineKeyboardMarkup: rows of buttons, each with a text and exactly one action. */
export function checkInlineKeyboard(markup: unknown): void {
  const rows = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) throw new ApiError(400, 'Bad Request: REPLY_MARKUP_INVALID');
  const actions = ['callback_data', 'url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'web_app', 'copy_text', 'pay', 'login_url', 'callback_game'];
  for (const button of rows.flat() as Array<Record<string, unknown>>) {
    if (typeof button.text !== 'string' || button.text === '') throw new ApiError(400, 'Bad Request: BUTTON_TEXT_INVALID');
    if (actions.filter((a) => button[a] !== undefined).length !== 1) throw new ApiError(400, 'Bad Request: BUTTON_TYPE_INVALID');
  }
}

function checkResult(state: FakeBotState, result: Record<string, unknown>): void {
  const fail = (what: string) => {
    throw new ApiError(400, `Bad Request: ${what}`);
  };
  switch (result.type) {
    case 'article': {
      if (typeof result.title !== 'string' || result.title === '') fail('RESULT_TITLE_EMPTY');
      const content = result.input_message_content as { message_text?: unknown } | undefined;
      if (typeof content?.message_text !== 'string' || content.message_text.trim() === '') fail('MESSAGE_EMPTY');
      if (result.thumbnail_url !== undefined && !isHttpUrl(result.thumbnail_url)) fail('WEBDOCUMENT_URL_INVALID');
      break;
    }
    case 'mpeg4_gif':
    case 'gif': {
      const prefix = result.type === 'gif' ? 'gif' : 'mpeg4';
      const fileId = result[`${prefix}_file_id`];
      if (fileId !== undefined) {
        if (!knownFile(state, fileId)) fail('wrong file identifier/HTTP URL specified');
      } else {
        if (!isHttpUrl(result[`${prefix}_url`])) fail('WEBDOCUMENT_URL_INVALID');
        // The URL forms need a thumbnail (JPEG, GIF or MPEG4) for the results list.
        if (!isHttpUrl(result.thumbnail_url)) fail('WEBDOCUMENT_URL_INVALID: thumbnail_url is required');
      }
      break;
    }
    default:
      fail('RESULT_TYPE_INVALID');
  }
  if (result.reply_markup !== undefined) checkInlineKeyboard(result.reply_markup);
}

function answerInlineQuery(state: FakeBotState, call: MethodCall): unknown {
  const query = state.inlineQueries.get(String(call.params.inline_query_id));
  if (!query || query.answer) throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
  const results = call.params.results;
  if (!Array.isArray(results)) throw new ApiError(400, 'Bad Request: results must be an array');
  if (results.length > MAX_RESULTS) throw new ApiError(400, 'Bad Request: RESULTS_TOO_MUCH');
  const ids = new Set<string>();
  for (const result of results as Array<Record<string, unknown>>) {
    const id = result.id;
    if (typeof id !== 'string' || Buffer.byteLength(id) < 1 || Buffer.byteLength(id) > 64) throw new ApiError(400, 'Bad Request: RESULT_ID_INVALID');
    if (ids.has(id)) throw new ApiError(400, 'Bad Request: RESULT_ID_DUPLICATE');
    ids.add(id);
    checkResult(state, result);
  }
  const button = call.params.button as Record<string, unknown> | undefined;
  if (button !== undefined) {
    if (typeof button.text !== 'string' || button.text === '') throw new ApiError(400, 'Bad Request: BUTTON_TEXT_INVALID');
    if (button.web_app === undefined && !START_PARAMETER.test(String(button.start_parameter))) throw new ApiError(400, 'Bad Request: START_PARAM_INVALID');
  }
  const cacheTime = call.params.cache_time;
  if (cacheTime !== undefined && !(Number.isInteger(Number(cacheTime)) && Number(cacheTime) >= 0)) throw new ApiError(400, 'Bad Request: cache_time is invalid');
  const isPersonal = call.params.is_personal;
  query.answer = {
    results: results as Array<Record<string, unknown>>,
    cacheTime: cacheTime === undefined ? undefined : Number(cacheTime),
    isPersonal: isPersonal === undefined ? undefined : isPersonal === true || isPersonal === 'true',
    button,
  };
  return true;
}

function inlineMessage(state: FakeBotState, call: MethodCall): FakeInlineMessage {
  const found = state.inlineMessages.get(String(call.params.inline_message_id));
  if (!found) throw new ApiError(400, 'Bad Request: MESSAGE_ID_INVALID');
  return found;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function editInlineMedia(state: FakeBotState, call: MethodCall): unknown {
  const message = inlineMessage(state, call);
  if (Object.keys(call.files).length > 0) throw new ApiError(400, "Bad Request: a new file can't be uploaded when an inline message is edited");
  const media = call.params.media as Record<string, unknown> | undefined;
  if (!media || !['animation', 'photo', 'video', 'document', 'audio'].includes(String(media.type))) throw new ApiError(400, 'Bad Request: MEDIA_INVALID');
  const ref = media.media;
  if (typeof ref === 'string' && ref.startsWith('attach://')) throw new ApiError(400, "Bad Request: a new file can't be uploaded when an inline message is edited");
  if (!knownFile(state, ref) && !isHttpUrl(ref)) throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  if (call.params.reply_markup !== undefined) checkInlineKeyboard(call.params.reply_markup);
  const caption = typeof media.caption === 'string' ? media.caption : undefined;
  if (message.kind === 'animation' && message.fileId === ref && message.caption === caption && sameJson(message.replyMarkup, call.params.reply_markup)) {
    throw new ApiError(400, NOT_MODIFIED);
  }
  // The Bot API may add media to a text message (editMessageMedia "or to add media to text messages").
  Object.assign(message, { kind: 'animation', fileId: knownFile(state, ref) ? ref : undefined, url: knownFile(state, ref) ? undefined : ref, caption, text: undefined });
  message.replyMarkup = call.params.reply_markup;
  message.edits++;
  return true;
}

function editInlineText(state: FakeBotState, call: MethodCall, field: 'text' | 'caption'): unknown {
  const message = inlineMessage(state, call);
  if (field === 'text' && message.kind !== 'text') throw new ApiError(400, 'Bad Request: there is no text in the message to edit');
  if (field === 'caption' && message.kind !== 'animation') throw new ApiError(400, 'Bad Request: there is no caption in the message to edit');
  const value = call.params[field];
  if (field === 'text' && (typeof value !== 'string' || value.trim() === '')) throw new ApiError(400, 'Bad Request: message text is empty');
  if (call.params.reply_markup !== undefined) checkInlineKeyboard(call.params.reply_markup);
  if (value === message[field] && sameJson(message.replyMarkup, call.params.reply_markup)) throw new ApiError(400, NOT_MODIFIED);
  message[field] = typeof value === 'string' ? value : undefined;
  message.replyMarkup = call.params.reply_markup;
  message.edits++;
  return true;
}

export const INLINE_METHODS: Record<string, Handler> = { answerInlineQuery };

/** Edits addressed by inline_message_id; undefined for edits of ordinary chat messages. */
export function inlineEdit(method: string): Handler | undefined {
  if (method === 'editMessageMedia') return editInlineMedia;
  if (method === 'editMessageText') return (state, call) => editInlineText(state, call, 'text');
  if (method === 'editMessageCaption') return (state, call) => editInlineText(state, call, 'caption');
  return undefined;
}
