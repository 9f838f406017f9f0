import { describe, expect, it } from 'vitest';
import { clipTrimmedText, errorText, LOCALES, limitsText, MESSAGE_CODES, message, progressText } from '../../../src/bots/messages.ts';
import { DEFAULT_INPUT_LIMITS } from '../../../src/config.ts';
import { ERROR_CODES, type ErrorCode, InputError, MemeError } from '../../../src/errors.ts';

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
      'That photo is too big. The limit is 10 MB. Please send a smaller one.',
    );
    expect(errorText(new InputError('IMAGE_TOO_LARGE', 'big')).text).toBe('That photo is too big. Please send a smaller one.');
    expect(errorText(new MemeError('RATE_LIMITED', 'x', { retryAfterSec: 1800 })).text).toMatch(/try again in 30 min\.$/);
    // Refusals name the operator's limit.
    expect(errorText(new MemeError('BUSY', 'x', { max: 3 })).text).toBe(
      'You already have 3 memes on the way, the most one person can have at once. Wait for one to arrive, or cancel one.',
    );
    expect(errorText(new MemeError('QUEUE_FULL', 'x', { max: 100 })).text).toMatch(/100 memes are waiting, its limit/);
    expect(errorText(new MemeError('RATE_LIMITED', 'x', { retryAfterSec: 1800, max: 30, windowSec: 3600 })).text).toBe(
      'You have made a lot of memes lately (30 in 1 h is the limit). Please try again in 30 min.',
    );
    expect(errorText(new Error('boom'))).toEqual({ code: 'INTERNAL', text: 'Something went wrong on my side. Please try again.' });
  });

  it('states what was sent and the limit for every "too big / too long / too small" refusal', () => {
    const text = (code: ErrorCode, details: Record<string, unknown>) => errorText(new MemeError(code, code, details)).text;
    expect(text('IMAGE_TOO_LARGE', { bytes: 23.4 * 2 ** 20, maxBytes: 20 * 2 ** 20 })).toBe('That photo is too big (23 MB). The limit is 20 MB. Please send a smaller one.');
    expect(text('IMAGE_TOO_LARGE', { width: 12000, height: 12000, maxPixels: 50e6 })).toBe(
      'That photo is too big (12000×12000 pixels). The limit is 50 megapixels. Please send a smaller one.',
    );
    expect(text('IMAGE_TOO_SMALL', { width: 40, height: 30, minSide: 64 })).toBe(
      'That photo is too small for a face to be animated (40×30 pixels). The smallest it can be is 64 pixels a side. Please send a larger one.',
    );
    expect(text('VIDEO_TOO_LARGE', { bytes: 60 * 2 ** 20, maxBytes: 50 * 2 ** 20 })).toBe('That clip is too big (60 MB). The limit is 50 MB. Please send a smaller one.');
    expect(text('VIDEO_TOO_LARGE', { width: 5000, height: 3000, maxSide: 4096 })).toMatch(/\(5000×3000 pixels\)\. The limit is 4096 pixels a side\./);
    expect(text('VIDEO_TOO_LONG', { durationSec: 14.2, maxDurationSec: 10 })).toBe('That clip is too long (14 s). The limit is 10 s. Please send a shorter one.');
    expect(text('CAPTION_TOO_LONG', { chars: 95, maxChars: 80 })).toBe('That caption is too long (95 characters). The limit is 80 characters.');
    expect(clipTrimmedText(14.2, 10)).toBe('Your clip is 14 s long; I will use its first 10 s, the longest a clip can be.');
    expect(limitsText(DEFAULT_INPUT_LIMITS)).toBe(
      'Photos: JPEG, PNG, WebP, GIF, AVIF or TIFF, up to 20 MB and 50 megapixels. Clips: up to 50 MB; only the first 10 s are used. Captions: up to 80 characters.',
    );
  });

  it('words progress: position while waiting, stage and percentage while running, any language tag', () => {
    expect(progressText({ jobId: 'j', position: 3, etaSec: 90 }, 'en-GB')).toBe('You are now number 3 in the queue, about 2 min to go.');
    expect(progressText({ jobId: 'j', stage: 'engine', fraction: 0.42 }, 'xx')).toBe('Animating your photo: animating 42%.');
  });
});
