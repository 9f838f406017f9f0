// Every Bot API call the adapter makes goes through here: message calls are spaced per the flood limits,
// and a 429 is retried after the retry_after the server gave. It does not decide what to send.
import { TelegramError } from 'telegraf';
import { SendRateLimiter } from './send-rate-limiter.ts';
import type { TelegramLimits } from './telegram-config.ts';

export interface ChatTarget {
  chatId: number;
  isGroup: boolean;
}

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait a 429 asks for, in ms; undefined for any other error. */
export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof TelegramError) || error.code !== 429) return undefined;
  const seconds = error.parameters?.retry_after;
  return (typeof seconds === 'number' && seconds > 0 ? seconds : 1) * 1000;
}

/** True for the 400 Telegram answers when an edit would change nothing; such an edit has already succeeded. */
export function isNotModified(error: unknown): boolean {
  return error instanceof TelegramError && error.code === 400 && /message is not modified/i.test(error.description);
}

export class TelegramOutbox {
  private readonly limiter: SendRateLimiter;

  constructor(
    private readonly limits: TelegramLimits,
    private readonly sleep: Sleep = realSleep,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new SendRateLimiter(limits);
  }

  /** A call that puts or changes a message in a chat (send*, edit*): throttled, retried on 429. */
  async toChat<T>(target: ChatTarget, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const waitMs = this.limiter.reserve(target.chatId, target.isGroup, this.now());
      if (waitMs > 0) await this.sleep(waitMs);
      try {
        return await call();
      } catch (error) {
        const retryMs = retryAfterMs(error);
        if (retryMs === undefined || attempt >= this.limits.maxRetries) throw error;
        this.limiter.pause(target.chatId, this.now() + retryMs);
      }
    }
  }

  /** A call with no message cost (chat actions, callback answers, getFile, deletes): retried on 429 only. */
  async direct<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryMs = retryAfterMs(error);
        if (retryMs === undefined || attempt >= this.limits.maxRetries) throw error;
        await this.sleep(retryMs);
      }
    }
  }

  prune(): void {
    this.limiter.prune(this.now());
  }
}
