// Builds the inline keyboards: the paged template picker and the buttons under a result.
// Returns plain Bot API JSON (InlineKeyboardMarkup); it sends nothing.
import type { TemplateInfo } from '../../templates/template-types.ts';
import { encodeCallback } from './callback-data.ts';
import { TEXTS } from './telegram-texts.ts';

interface InlineButton {
  text: string;
  callback_data: string;
}

export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

const PICKER_COLUMNS = 2;
const PICKER_PAGE_SIZE = 8;

export function pageCount(templateCount: number, pageSize = PICKER_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(templateCount / pageSize));
}

/** One page of template buttons, then a row with page arrows around a "random" button. */
export function templatePicker(templates: TemplateInfo[], pickId: string, page: number, pageSize = PICKER_PAGE_SIZE): InlineKeyboard {
  const pages = pageCount(templates.length, pageSize);
  const current = Math.min(Math.max(0, page), pages - 1);
  const slice = templates.slice(current * pageSize, (current + 1) * pageSize);
  const rows: InlineButton[][] = [];
  for (let i = 0; i < slice.length; i += PICKER_COLUMNS) {
    rows.push(
      slice.slice(i, i + PICKER_COLUMNS).map((t) => ({ text: t.title, callback_data: encodeCallback({ kind: 'pick', pickId, templateId: t.id }) })),
    );
  }
  const nav: InlineButton[] = [];
  if (current > 0) nav.push({ text: TEXTS.buttons.previous, callback_data: encodeCallback({ kind: 'page', pickId, page: current - 1 }) });
  nav.push({ text: TEXTS.buttons.random, callback_data: encodeCallback({ kind: 'random', pickId }) });
  if (current < pages - 1) nav.push({ text: TEXTS.buttons.next, callback_data: encodeCallback({ kind: 'page', pickId, page: current + 1 }) });
  rows.push(nav);
  return { inline_keyboard: rows };
}

/** Face numbers per row in the face picker. */
const FACE_COLUMNS = 4;

/** A group photo's face picker: a button per numbered face, then "All faces"; the current choice is ticked. */
export function facePicker(pickId: string, faceCount: number, chosen: 'all' | number): InlineKeyboard {
  const tick = (text: string, on: boolean) => (on ? `✅ ${text}` : text);
  const numbers = Array.from({ length: faceCount }, (_, i) => ({
    text: tick(String(i + 1), chosen === i + 1),
    callback_data: encodeCallback({ kind: 'face', pickId, face: i + 1 }),
  }));
  const rows: InlineButton[][] = [];
  for (let i = 0; i < numbers.length; i += FACE_COLUMNS) rows.push(numbers.slice(i, i + FACE_COLUMNS));
  rows.push([{ text: tick(TEXTS.buttons.allFaces, chosen === 'all'), callback_data: encodeCallback({ kind: 'face', pickId, face: 'all' }) }]);
  return { inline_keyboard: rows };
}

/** The buttons under every animation the bot sends. */
export function resultButtons(resultId: string): InlineKeyboard {
  return {
    inline_keyboard: [
      [
        { text: TEXTS.buttons.anotherTake, callback_data: encodeCallback({ kind: 'reroll', resultId }) },
        { text: TEXTS.buttons.otherTemplate, callback_data: encodeCallback({ kind: 'other', resultId }) },
      ],
      [
        { text: TEXTS.buttons.asSticker, callback_data: encodeCallback({ kind: 'sticker', resultId }) },
        { text: TEXTS.buttons.asGif, callback_data: encodeCallback({ kind: 'gif', resultId }) },
      ],
      [{ text: TEXTS.buttons.addToStickers, callback_data: encodeCallback({ kind: 'pack', resultId }) }],
    ],
  };
}

/** The one button under a preview whose HD version is on the way. */
export function keepButton(requestId: string): InlineKeyboard {
  return { inline_keyboard: [[{ text: TEXTS.buttons.keepThisOne, callback_data: encodeCallback({ kind: 'keep', requestId }) }]] };
}
