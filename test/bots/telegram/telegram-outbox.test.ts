import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TELEGRAM_LIMITS } from '../../../src/bots/telegram/telegram-config.ts';
import { retryAfterMs, TelegramOutbox } from '../../../src/bots/telegram/telegram-outbox.ts';

/** A clock that only moves when the outbox sleeps, so waits are observed, not spent. */
function virtualTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    sleeps,
  };
}

function tooMany(retryAfterSec: number): TelegramError {
  return new TelegramError({ error_code: 429, description: `Too Many Requests: retry after ${retryAfterSec}`, parameters: { retry_after: retryAfterSec } });
}

describe('TelegramOutbox', () => {
  it('retries a 429 after retry_after and spaces chat messages', async () => {
    const time = virtualTime();
    const outbox = new TelegramOutbox(DEFAULT_TELEGRAM_LIMITS, time.sleep, time.now);
    const attempts: number[] = [];
    const result = await outbox.toChat({ chatId: 5, isGroup: false }, async () => {
      attempts.push(time.now());
      if (attempts.length === 1) throw tooMany(7);
      return 'sent';
    });
    expect(result).toBe('sent');
    expect(attempts).toEqual([0, 7000]);
    // The next message to that chat still keeps the 1 s gap after the retried one.
    await outbox.toChat({ chatId: 5, isGroup: false }, async () => attempts.push(time.now()));
    expect(attempts[2]).toBe(8000);
  });

  it('gives up after maxRetries and rethrows other errors at once', async () => {
    const time = virtualTime();
    const outbox = new TelegramOutbox({ ...DEFAULT_TELEGRAM_LIMITS, maxRetries: 2 }, time.sleep, time.now);
    let calls = 0;
    await expect(
      outbox.direct(async () => {
        calls++;
        throw tooMany(1);
      }),
    ).rejects.toThrow(/429/);
    expect(calls).toBe(3);
    const badRequest = new TelegramError({ error_code: 400, description: 'Bad Request: chat not found' });
    calls = 0;
    await expect(
      outbox.toChat({ chatId: 1, isGroup: false }, async () => {
        calls++;
        throw badRequest;
      }),
    ).rejects.toBe(badRequest);
    expect(calls).toBe(1);
  });

  it('reads retry_after only from 429s', () => {
    expect(retryAfterMs(tooMany(3))).toBe(3000);
    expect(retryAfterMs(new Error('x'))).toBeUndefined();
    expect(retryAfterMs(new TelegramError({ error_code: 429, description: 'Too Many Requests' }))).toBe(1000);
  });
});
