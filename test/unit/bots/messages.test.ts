import { describe, expect, it } from 'vitest';
import { errorText, LOCALES, MESSAGE_CODES, message, progressText } from '../../../src/bots/messages.ts';
import { ERROR_CODES, InputError, MemeError } from '../../../src/errors.ts';

describe('messages', () => {
  it('has a text for every error code and status in every locale, with no unfilled syntax left', () => {
    for (const locale of Object.values(LOCALES)) {
      for (const code of MESSAGE_CODES) {
        const text = message(code, {}, locale.code);
        expect(text.length, `${locale.code}.${code}`).toBeGreaterThan(3);
        expect(text).not.toMatch(/[[\]]/);
      }
    }
    expect(MESSAGE_CODES).toEqual(expect.arrayContaining([...ERROR_CODES, 'queued', 'position', 'rendering', 'done']));
  });

  it('fills details from coded errors and drops optional parts it cannot fill', () => {
    expect(errorText(new InputError('IMAGE_TOO_LARGE', 'big', { maxBytes: 10 * 1024 * 1024 })).text).toBe(
      'That photo is too big (the limit is 10 MB). Please send a smaller one.',
    );
    expect(errorText(new InputError('IMAGE_TOO_LARGE', 'big')).text).toBe('That photo is too big. Please send a smaller one.');
    expect(errorText(new MemeError('RATE_LIMITED', 'x', { retryAfterSec: 1800 })).text).toMatch(/try again in 30 min\.$/);
    expect(errorText(new Error('boom'))).toEqual({ code: 'INTERNAL', text: 'Something went wrong on my side. Please try again.' });
  });

  it('words progress: position while waiting, stage and percentage while running, any language tag', () => {
    expect(progressText({ jobId: 'j', position: 3, etaSec: 90 }, 'en-GB')).toBe('You are now number 3 in the queue, about 2 min to go.');
    expect(progressText({ jobId: 'j', stage: 'engine', fraction: 0.42 }, 'xx')).toBe('Animating your photo: animating 42%.');
  });
});
