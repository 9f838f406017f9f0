// Every Bot API call the adapter makes goes through here: message calls (sends, edits) join the chat's queue in
// the shared paced outbox (bots/pacing/), which spaces them by Telegram's flood limits and serves results before
// statuses; a 429 is retried after the retry_after the server gave. It does not decide what to send.
import { TelegramError } from 'telegraf';
import type { MessageKind } from '../pacing/pace-rule.ts';
import { type ChatRef, PacedOutbox } from '../pacing/paced-outbox.ts';
import { paceLimits, type TelegramLimits } from './telegram-config.ts';

export interface ChatTarget {
  chatId: number;
  isGroup: boolean;
}

type Sleep = (ms: number) => Promise<void>;

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
  readonly #outbox: PacedOutbox;
  readonly #limits: TelegramLimits;

  constructor(limits: TelegramLimits, sleep?: Sleep, now?: () => number) {
    this.#limits = limits;
    const global = { ms: limits.globalWindowMs, max: limits.globalMaxPerWindow };
    this.#outbox = new PacedOutbox({ retryAfterMs, maxRetries: limits.maxRetries, global, sleep, now });
  }

  /** A call that puts or changes a message in a chat (send*, edit*): paced, retried on 429. Results by default. */
  toChat<T>(target: ChatTarget, call: () => Promise<T>, kind: MessageKind = 'result'): Promise<T> {
    return this.#outbox.send(this.#ref(target), kind, call);
  }

  /** A status message's next text, shown when its turn comes (see PacedOutbox.status). */
  status(target: ChatTarget, key: string, show: () => Promise<boolean>, kind: () => MessageKind): Promise<void> {
    return this.#outbox.status(this.#ref(target), key, show, kind);
  }

  /** Drops the status `key` if it still waits; resolves once a message on its way to the chat has landed. */
  quiet(target: ChatTarget, key: string): Promise<void> {
    return this.#outbox.quiet(this.#ref(target), key);
  }

  /** A result is owed to this chat (+1), or went out or is no longer due (-1): progress edits leave room for it. */
  owe(target: ChatTarget, delta: number): void {
    this.#outbox.owe(this.#ref(target), delta);
  }

  /** A call with no message cost (chat actions, callback answers, getFile, deletes): retried on 429 only. */
  direct<T>(call: () => Promise<T>): Promise<T> {
    return this.#outbox.direct(call);
  }

  prune(): void {
    this.#outbox.prune();
  }

  #ref(target: ChatTarget): ChatRef {
    return { key: String(target.chatId), limits: paceLimits(this.#limits, target.isGroup) };
  }
}
