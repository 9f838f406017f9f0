import { describe, expect, it } from 'vitest';
import { SendRateLimiter } from '../../../src/bots/telegram/send-rate-limiter.ts';

const limits = { chatIntervalMs: 1000, groupWindowMs: 60_000, groupMaxPerWindow: 20 };

/** Books n messages all asked for at `nowMs` and returns their send times. */
function book(limiter: SendRateLimiter, chatId: number, isGroup: boolean, n: number, nowMs: number): number[] {
  return Array.from({ length: n }, () => nowMs + limiter.reserve(chatId, isGroup, nowMs));
}

describe('SendRateLimiter', () => {
  it('spaces messages in one chat by the chat interval', () => {
    const limiter = new SendRateLimiter(limits);
    expect(book(limiter, 1, false, 3, 5000)).toEqual([5000, 6000, 7000]);
    // Later requests after a quiet spell go at once.
    expect(limiter.reserve(1, false, 20_000)).toBe(0);
  });

  it('keeps chats independent', () => {
    const limiter = new SendRateLimiter(limits);
    expect(limiter.reserve(1, false, 0)).toBe(0);
    expect(limiter.reserve(2, false, 0)).toBe(0);
    expect(limiter.reserve(1, false, 0)).toBe(1000);
  });

  it('holds a group to 20 messages in any minute', () => {
    const limiter = new SendRateLimiter(limits);
    const times = book(limiter, -100, true, 45, 0);
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(60_000);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    // The 21st waits for the 1st to leave the window, not longer.
    expect(times[20]).toBe(60_000);
  });

  it('does not apply the group cap to private chats', () => {
    const limiter = new SendRateLimiter(limits);
    const times = book(limiter, 7, false, 25, 0);
    expect(times[24]).toBe(24_000);
  });

  it('pauses a chat until a 429 retry_after has passed', () => {
    const limiter = new SendRateLimiter(limits);
    limiter.reserve(1, false, 0);
    limiter.pause(1, 30_000);
    expect(limiter.reserve(1, false, 2000)).toBe(28_000);
    expect(limiter.reserve(2, false, 2000)).toBe(0);
  });

  it('forgets idle chats when pruned', () => {
    const limiter = new SendRateLimiter(limits);
    limiter.reserve(1, true, 0);
    limiter.prune(1_000_000);
    // A fresh chat record: a full window's worth goes without waiting for the old slots.
    expect(limiter.reserve(1, true, 1_000_000)).toBe(0);
  });
});
