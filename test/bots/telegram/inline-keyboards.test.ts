import { describe, expect, it } from 'vitest';
import { decodeCallback, encodeCallback, MAX_CALLBACK_DATA_BYTES } from '../../../src/bots/telegram/callback-data.ts';
import { resultButtons, templatePicker } from '../../../src/bots/telegram/inline-keyboards.ts';
import type { TemplateInfo } from '../../../src/templates/template-types.ts';

function template(id: string): TemplateInfo {
  return { id, title: id.toUpperCase(), tags: [], fps: 12, trim: { startSec: 0, endSec: 2 }, clipPath: '', previewPath: '', attribution: '' };
}

const templates = Array.from({ length: 13 }, (_, i) => template(`tmpl-${i}`));

describe('callback data', () => {
  it('round-trips every action', () => {
    const actions = [
      { kind: 'pick', pickId: 'Ab_9-xYz', templateId: 'toothy-grin' },
      { kind: 'page', pickId: 'Ab_9-xYz', page: 3 },
      { kind: 'random', pickId: 'Ab_9-xYz' },
      { kind: 'reroll', resultId: 'r1' },
      { kind: 'other', resultId: 'r1' },
      { kind: 'sticker', resultId: 'r1' },
      { kind: 'gif', resultId: 'r1' },
      { kind: 'pack', resultId: 'r1' },
    ] as const;
    for (const action of actions) expect(decodeCallback(encodeCallback(action))).toEqual(action);
  });

  it('rejects data it did not make', () => {
    for (const data of [undefined, '', 'x|1', 't|only', 'p|id|two', 'ra|id|extra']) expect(decodeCallback(data)).toBeUndefined();
  });

  it('refuses to build data over 64 bytes', () => {
    expect(() => encodeCallback({ kind: 'pick', pickId: 'p', templateId: 'x'.repeat(MAX_CALLBACK_DATA_BYTES) })).toThrow(/64 bytes/);
  });
});

describe('templatePicker', () => {
  it('pages the templates with arrows around a random button', () => {
    const first = templatePicker(templates, 'pk', 0, 6);
    const ids = first.inline_keyboard.flat().map((b) => decodeCallback(b.callback_data));
    expect(ids.filter((a) => a?.kind === 'pick').map((a) => (a as { templateId: string }).templateId)).toEqual(templates.slice(0, 6).map((t) => t.id));
    expect(first.inline_keyboard.at(-1)!.map((b) => decodeCallback(b.callback_data)?.kind)).toEqual(['random', 'page']);

    const last = templatePicker(templates, 'pk', 2, 6);
    const buttons = last.inline_keyboard.flat();
    expect(buttons.filter((b) => decodeCallback(b.callback_data)?.kind === 'pick')).toHaveLength(1);
    expect(last.inline_keyboard.at(-1)!.map((b) => decodeCallback(b.callback_data))).toEqual([
      { kind: 'page', pickId: 'pk', page: 1 },
      { kind: 'random', pickId: 'pk' },
    ]);
  });

  it('clamps a page past the end and lays buttons two to a row', () => {
    const keyboard = templatePicker(templates, 'pk', 99, 6);
    expect(keyboard.inline_keyboard.at(-1)!.map((b) => decodeCallback(b.callback_data)?.kind)).toEqual(['page', 'random']);
    const wide = templatePicker(templates, 'pk', 0, 6);
    for (const row of wide.inline_keyboard.slice(0, -1)) expect(row.length).toBeLessThanOrEqual(2);
  });
});

describe('resultButtons', () => {
  it('offers another take, other template, sticker, GIF and "add to my stickers" for the result', () => {
    const kinds = resultButtons('res1').inline_keyboard.flat().map((b) => decodeCallback(b.callback_data));
    expect(kinds).toEqual([
      { kind: 'reroll', resultId: 'res1' },
      { kind: 'other', resultId: 'res1' },
      { kind: 'sticker', resultId: 'res1' },
      { kind: 'gif', resultId: 'res1' },
      { kind: 'pack', resultId: 'res1' },
    ]);
  });
});
