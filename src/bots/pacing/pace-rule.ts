// When may a message go to a chat: the one rule every platform's messages follow, decided here and nowhere
// else. Each platform states its limits as data (PaceLimits: Telegram in telegram/telegram-config.ts, Discord in
// discord/discord-config.ts, the playground in web/web-jobs.ts); paced-outbox.ts applies the rule's answers.
//
//  1. One message at a time per chat, and the next one no sooner than `chatGapMs` after the previous one was
//     confirmed by the server: gaps are measured from confirmations, so a stall can delay messages but never
//     release a burst of them.
//  2. A chat with a `window` (Telegram groups: 20 a minute) never has more than `window.max` messages confirmed
//     inside any `window.ms`.
//  3. Results go first (what a user asked for: the meme, a failure, an answer), then acknowledgements (a status
//     that names a request not yet shown), then progress changes, then changes of a queue position alone.
//  4. A progress change waits `statusGapMs` after the chat's previous status change (a queue position alone
//     `waitingGapMs`: a wait in line moves, but is not worth an edit a second), and in a chat with a window it
//     may only take a slot that the results still owed to that chat do not need. When none is left it waits for
//     a result to go out; meanwhile the chat shows a chat action (free), not an edit.
//  5. An acknowledgement waits `gatherMs` after it was asked for, so requests arriving together share one message.
//  6. A 429's retry_after pauses the chat.
//  7. All chats of one bot together start at most `global.max` messages in any `global.ms` (Telegram: about 30 a
//     second), progress changes at most two thirds of them, so results and acknowledgements always find room.
// Pure bookkeeping over times the caller passes in: no I/O, no timers.

/** What a message is to the person waiting, in the order they are served. */
export type MessageKind = 'result' | 'ack' | 'progress' | 'waiting';

export const KIND_RANK: Readonly<Record<MessageKind, number>> = { result: 0, ack: 1, progress: 2, waiting: 3 };

/** Status changes that only report: they yield to results and acknowledgements, and to the reserve (rules 4, 7). */
const isReport = (kind: MessageKind) => kind === 'progress' || kind === 'waiting';

export interface PaceLimits {
  /** Least time between two messages (sends or edits) in one chat, from the previous one's confirmation. */
  chatGapMs: number;
  /** Least time between two status changes in one chat. */
  statusGapMs: number;
  /** The same, when the change is only a queue position (default: statusGapMs). */
  waitingGapMs?: number;
  /** How long an acknowledgement waits for more requests to share its message. */
  gatherMs: number;
  /** A shared chat's budget: at most `max` messages in any `ms` (Telegram groups: 20 a minute). */
  window?: { ms: number; max: number };
}

/** Share of the bot-wide budget progress changes may use (rule 7). */
const PROGRESS_SHARE_OF_GLOBAL = 2 / 3;

/** Rule 7's bookkeeping: when the bot's messages to all chats started. */
export class GlobalPace {
  readonly limits: { ms: number; max: number };
  #startedMs: number[] = [];

  constructor(limits: { ms: number; max: number }) {
    this.limits = limits;
  }

  earliest(kind: MessageKind, nowMs: number): number {
    const { ms, max } = this.limits;
    const usable = isReport(kind) ? Math.max(1, Math.floor(max * PROGRESS_SHARE_OF_GLOBAL)) : max;
    this.#startedMs = this.#startedMs.filter((t) => t > nowMs - ms);
    return this.#startedMs.length >= usable ? this.#startedMs[this.#startedMs.length - usable]! + ms : nowMs;
  }

  /** Counted when a message starts (several chats may be sending at once). */
  started(atMs: number): void {
    this.#startedMs.push(atMs);
  }
}

/** One chat's history as the rule needs it. */
export class ChatPace {
  readonly limits: PaceLimits;
  /** Results this chat is still owed (requests in flight there); progress never spends their slots. */
  owed = 0;
  #confirmedMs: number[] = [];
  #lastMs = Number.NEGATIVE_INFINITY;
  #lastStatusMs = Number.NEGATIVE_INFINITY;
  #pausedUntilMs = Number.NEGATIVE_INFINITY;

  constructor(limits: PaceLimits) {
    this.limits = limits;
  }

  /**
   * The earliest time a message of `kind`, asked for at `askedMs`, may start; undefined for a progress or
   * position change that must wait until a result has gone (rule 4), whatever the clock says.
   */
  earliest(kind: MessageKind, nowMs: number, askedMs = nowMs, global?: GlobalPace): number | undefined {
    const { chatGapMs, statusGapMs, waitingGapMs = statusGapMs, gatherMs, window } = this.limits;
    let atMs = Math.max(nowMs, this.#lastMs + chatGapMs, this.#pausedUntilMs, global?.earliest(kind, nowMs) ?? nowMs);
    if (kind === 'progress') atMs = Math.max(atMs, this.#lastStatusMs + statusGapMs);
    if (kind === 'waiting') atMs = Math.max(atMs, this.#lastStatusMs + Math.max(statusGapMs, waitingGapMs));
    if (kind === 'ack') atMs = Math.max(atMs, askedMs + gatherMs);
    if (!window) return atMs;
    // Slots this kind may use in the window: all of them for results and acknowledgements, only those the owed
    // results leave free for progress.
    const usable = isReport(kind) ? window.max - this.owed : window.max;
    if (usable <= 0) return undefined;
    const recent = this.#confirmedMs.filter((t) => t > nowMs - window.ms);
    if (recent.length >= usable) atMs = Math.max(atMs, recent[recent.length - usable]! + window.ms);
    return atMs;
  }

  /** Records a message the server confirmed at `atMs`. */
  confirmed(kind: MessageKind, atMs: number): void {
    this.#lastMs = Math.max(this.#lastMs, atMs);
    if (kind !== 'result') this.#lastStatusMs = Math.max(this.#lastStatusMs, atMs);
    const window = this.limits.window;
    if (!window) return;
    this.#confirmedMs = this.#confirmedMs.filter((t) => t > atMs - window.ms);
    this.#confirmedMs.push(atMs);
  }

  /** After a 429 with retry_after: nothing goes to this chat before `untilMs`. */
  pause(untilMs: number): void {
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, untilMs);
  }

  /** Nothing here constrains the future any more (so the chat's record can be forgotten). */
  idle(nowMs: number): boolean {
    const windowMs = this.limits.window?.ms ?? 0;
    const lastWindowed = this.#confirmedMs.at(-1) ?? Number.NEGATIVE_INFINITY;
    return this.owed === 0 && this.#pausedUntilMs < nowMs && this.#lastMs + Math.max(this.limits.chatGapMs, this.limits.statusGapMs) < nowMs && lastWindowed <= nowMs - windowMs;
  }
}
