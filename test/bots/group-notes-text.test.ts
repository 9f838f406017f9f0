// resultNotesText: a group photo's notes as the bots show them, one line each, within a platform's limit.
import { describe, expect, it } from 'vitest';
import { resultNotesText } from '../../src/bots/messages.ts';

describe('group photo notes text', () => {
  it('gives one "Note:" line per note and nothing when there is none', () => {
    expect(resultNotesText(undefined, 1024)).toBeUndefined();
    expect(resultNotesText([], 1024)).toBeUndefined();
    expect(resultNotesText(['8 faces found: the 6 largest are animated, the others stay still', 'one face is smaller than 40 pixels and stays still'], 1024)).toBe(
      'Note: 8 faces found: the 6 largest are animated, the others stay still.\nNote: one face is smaller than 40 pixels and stays still.',
    );
  });

  it('keeps whole notes while they fit and cuts the next with an ellipsis, never past the limit', () => {
    const notes = ['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(600)];
    const text = resultNotesText(notes, 1024)!;
    expect(text.length).toBe(1024);
    const [first, second, ...rest] = text.split('\n');
    expect(first).toBe(`Note: ${'a'.repeat(600)}.`);
    expect(second.endsWith('b…')).toBe(true);
    expect(rest).toEqual([]);
    for (const limit of [1, 5, 50, 607, 608, 1300]) expect(resultNotesText(notes, limit)?.length ?? 0).toBeLessThanOrEqual(limit);
  });
});
