// Decides when the next message to a chat may go out: at most one per chatIntervalMs per chat and at most
// groupMaxPerWindow per groupWindowMs per group, plus pauses a 429 imposed. Pure bookkeeping over a clock
// the caller passes in; it never sleeps or calls Telegram.
import type { TelegramLimits } from './telegram-config.ts';

interface ChatSlots {
  /** Earliest time the next message may go. */
  nextFreeMs: number;
  /** Send times inside the current group window (groups only), ascending. */
  recentMs: number[];
}

export class SendRateLimiter {
  private readonly chats = new Map<number, ChatSlots>();

  constructor(private readonly limits: Pick<TelegramLimits, 'chatIntervalMs' | 'groupWindowMs' | 'groupMaxPerWindow'>) {}

  /** Books the earliest allowed slot for one message and returns how long to wait for it (0 = now). */
  reserve(chatId: number, isGroup: boolean, nowMs: number): number {
    const slots = this.slotsOf(chatId, nowMs);
    let atMs = Math.max(nowMs, slots.nextFreeMs);
    if (isGroup) {
      const { groupWindowMs, groupMaxPerWindow } = this.limits;
      slots.recentMs = slots.recentMs.filter((t) => t > nowMs - groupWindowMs);
      // Any window of groupWindowMs may hold at most groupMaxPerWindow sends.
      if (slots.recentMs.length >= groupMaxPerWindow) {
        const oldestInWindow = slots.recentMs[slots.recentMs.length - groupMaxPerWindow]!;
        atMs = Math.max(atMs, oldestInWindow + groupWindowMs);
      }
      slots.recentMs.push(atMs);
    }
    slots.nextFreeMs = atMs + this.limits.chatIntervalMs;
    return atMs - nowMs;
  }

  /** After a 429 with retry_after: nothing more goes to this chat before `untilMs`. */
  pause(chatId: number, untilMs: number): void {
    const slots = this.slotsOf(chatId, untilMs);
    slots.nextFreeMs = Math.max(slots.nextFreeMs, untilMs);
  }

  /** Drops chats idle for a whole group window, so the map does not grow with every chat ever seen. */
  prune(nowMs: number): void {
    for (const [chatId, slots] of this.chats) {
      const last = slots.recentMs[slots.recentMs.length - 1] ?? 0;
      if (slots.nextFreeMs < nowMs && last < nowMs - this.limits.groupWindowMs) this.chats.delete(chatId);
    }
  }

  private slotsOf(chatId: number, nowMs: number): ChatSlots {
    let slots = this.chats.get(chatId);
    if (!slots) {
      slots = { nextFreeMs: nowMs, recentMs: [] };
      this.chats.set(chatId, slots);
    }
    return slots;
  }
}
