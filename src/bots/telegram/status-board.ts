// One status message per chat for every request in flight there: it acknowledges each new request (a line with
// who asked for what), shows queue positions and progress, and is edited, never re-sent, so a busy group spends
// one message, not one per request. In a private chat with one request it reads as that request's status; with
// several, and always in groups (where it must say whose request each line is), one short line each. When its
// last request is answered it is deleted, or in a private chat becomes the failure text when that answer was a
// failure; any other failure is a reply to its request. While any request is active the chat shows
// "sending video…" (free), which is all a group sees when its budget leaves no room for edits.
// When an edit may go is not decided here: the outbox's pacing rule (bots/pacing/pace-rule.ts) does that.
import type { Telegram } from 'telegraf';
import type { Logger } from '../../logger.ts';
import type { MessageKind } from '../pacing/pace-rule.ts';
import { type ChatTarget, isNotModified, retryAfterMs, type TelegramOutbox } from './telegram-outbox.ts';

interface StatusBoardDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  log: Logger;
  chatActionIntervalMs: number;
}

/** What one request's line says: the whole sentence when it is alone, a short line beside others. */
export interface LineText {
  full: string;
  short: string;
  /** The request is rendering (its changes are progress), not waiting in line (its changes are positions). */
  running?: boolean;
}

export class BoardLine {
  readonly replyToMessageId: number | undefined;
  text: LineText;
  shown = false;
  done = false;
  readonly #shown: Promise<void>;
  #markShown!: () => void;

  constructor(
    private readonly board: StatusBoard,
    readonly label: string,
    replyToMessageId: number | undefined,
    text: LineText,
  ) {
    this.replyToMessageId = replyToMessageId;
    this.text = text;
    this.#shown = new Promise((resolve) => {
      this.#markShown = resolve;
    });
  }

  /** The board's message (for a job's route), once it exists. */
  get messageId(): number | undefined {
    return this.board.messageId;
  }

  set(text: LineText): void {
    if (this.done) return;
    this.text = text;
    this.board.changed();
  }

  /** Resolves once a version of the board with this line on it is in the chat (or the board gave up). */
  whenShown(): Promise<void> {
    return this.#shown;
  }

  /** Takes the line off the board: its request was answered (the result is in the chat), or goes on elsewhere. */
  close(): Promise<void> {
    return this.board.remove(this);
  }

  /** Tells the requester why their meme did not come: the board's text when alone, else a reply of its own. */
  fail(text: string): Promise<void> {
    return this.board.fail(this, text);
  }

  markShown(): void {
    this.shown = true;
    this.#markShown();
  }
}

class StatusBoard {
  static #boards = 0;
  readonly #key = `board:${++StatusBoard.#boards}`;
  readonly #lines = new Set<BoardLine>();
  #messageId: number | undefined;
  #shownText: string | undefined;
  /** The failure text the board ends on (its last request failed). */
  #finalText: string | undefined;
  #broken = false;
  #closing = false;
  /** The send or edit on its way, if any. */
  #showing: Promise<boolean> | undefined;
  #actionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: StatusBoardDeps,
    readonly chat: ChatTarget,
    private readonly onClosed: (board: StatusBoard) => void,
  ) {}

  get messageId(): number | undefined {
    return this.#messageId;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Uses an existing bot message (the tapped picker, or a status from before a restart) if the board has none. */
  adopt(messageId: number): boolean {
    if (this.#messageId !== undefined || this.#showing) return this.#messageId === messageId;
    this.#messageId = messageId;
    return true;
  }

  /** A new request on the board; it owes the chat a result, so progress edits leave room for that. */
  open(label: string, replyToMessageId: number | undefined, text: LineText): BoardLine {
    const line = new BoardLine(this, label, replyToMessageId, text);
    this.#lines.add(line);
    this.deps.outbox.owe(this.chat, +1);
    this.#startChatAction();
    this.changed();
    return line;
  }

  /** Asks the outbox for a turn to show the current text. */
  changed(): void {
    if (this.#broken) return;
    void this.deps.outbox.status(this.chat, this.#key, () => this.#show(), () => this.#kind()).catch((error: unknown) => {
      this.deps.log.warn('status message update failed', { chatId: this.chat.chatId, error });
    });
  }

  async fail(line: BoardLine, text: string): Promise<void> {
    if (line.done) return;
    const others = [...this.#lines].filter((l) => l !== line && !l.done);
    if (others.length > 0 || this.chat.isGroup || this.#broken) {
      await this.deps.outbox
        .toChat(this.chat, () =>
          this.deps.telegram.sendMessage(this.chat.chatId, text, {
            reply_parameters: line.replyToMessageId ? { message_id: line.replyToMessageId, allow_sending_without_reply: true } : undefined,
          }),
        )
        .catch((error: unknown) => this.deps.log.warn('failure notice not sent', { chatId: this.chat.chatId, error }));
      await this.remove(line);
      return;
    }
    // The last request on the board: the board itself becomes the answer, shown as a result, and stays.
    line.done = true;
    this.#finalText = text;
    this.#detach();
    await this.deps.outbox.status(this.chat, this.#key, () => this.#show(), () => 'result').catch(() => undefined);
    this.#lines.delete(line);
    this.deps.outbox.owe(this.chat, -1);
  }

  /** Takes a finished request off; the last one out deletes the board (its result is in the chat by now). */
  async remove(line: BoardLine): Promise<void> {
    if (line.done) return;
    line.done = true;
    this.#lines.delete(line);
    this.deps.outbox.owe(this.chat, -1);
    if (this.#lines.size > 0) {
      this.changed();
      return;
    }
    this.#detach();
    // Let an edit already on its way land first, so the delete is the last word.
    await this.deps.outbox.quiet(this.chat, this.#key);
    const messageId = this.#messageId;
    if (messageId === undefined) return;
    this.#messageId = undefined;
    await this.deps.outbox.direct(() => this.deps.telegram.deleteMessage(this.chat.chatId, messageId)).catch(() => {
      // Already gone (someone deleted it): nothing to do.
    });
  }

  /** No new request joins a board on its way out; the chat gets a new one. */
  #detach(): void {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#actionTimer);
    this.#actionTimer = undefined;
    this.onClosed(this);
  }

  #kind(): MessageKind {
    if (this.#finalText !== undefined) return 'result';
    const lines = [...this.#lines].filter((l) => !l.done);
    if (lines.some((l) => !l.shown)) return 'ack';
    return lines.some((l) => l.text.running) ? 'progress' : 'waiting';
  }

  #text(): string | undefined {
    if (this.#finalText !== undefined) return this.#finalText;
    const lines = [...this.#lines].filter((l) => !l.done);
    if (lines.length === 0) return undefined;
    if (lines.length === 1 && !this.chat.isGroup) return lines[0]!.text.full;
    return lines.map((l) => `${l.label}: ${l.text.short}`).join('\n');
  }

  /** Runs when the outbox gives the board its turn, so it shows the newest text, not the one that asked. */
  #show(): Promise<boolean> {
    const showing = this.#showText().finally(() => {
      if (this.#showing === showing) this.#showing = undefined;
    });
    this.#showing = showing;
    return showing;
  }

  async #showText(): Promise<boolean> {
    const text = this.#text();
    if (this.#broken || text === undefined) return false;
    const showing = [...this.#lines].filter((l) => !l.done);
    if (text === this.#shownText) {
      for (const line of showing) line.markShown();
      return false;
    }
    try {
      if (this.#messageId === undefined) {
        const first = showing[0]?.replyToMessageId;
        const sent = await this.deps.telegram.sendMessage(this.chat.chatId, text, {
          reply_parameters: first ? { message_id: first, allow_sending_without_reply: true } : undefined,
        });
        this.#messageId = sent.message_id;
      } else {
        // No reply_markup: the edit also drops the picker keyboard an adopted message may have had.
        await this.deps.telegram.editMessageText(this.chat.chatId, this.#messageId, undefined, text);
      }
    } catch (error) {
      if (retryAfterMs(error) !== undefined) throw error; // the outbox waits and retries
      if (!isNotModified(error)) {
        // A status line is not worth failing a job over: stop editing, results still get sent.
        this.#broken = true;
        for (const line of this.#lines) line.markShown();
        this.deps.log.warn('status message update failed', { chatId: this.chat.chatId, error });
        return false;
      }
    }
    this.#shownText = text;
    for (const line of showing) line.markShown();
    return true;
  }

  #startChatAction(): void {
    if (this.#actionTimer || this.#closing) return;
    const send = () => {
      void this.deps.outbox.direct(() => this.deps.telegram.sendChatAction(this.chat.chatId, 'upload_video')).catch(() => {
        // Cosmetic only.
      });
    };
    send();
    // Telegram shows an action for about 5 s; refresh before it lapses.
    this.#actionTimer = setInterval(send, this.deps.chatActionIntervalMs);
    this.#actionTimer.unref();
  }
}

/** The boards of every chat: a request joins its chat's board, or opens a new one. */
export class StatusBoards {
  readonly #boards = new Map<number, StatusBoard>();

  constructor(private readonly deps: StatusBoardDeps) {}

  of(chat: ChatTarget): StatusBoard {
    let board = this.#boards.get(chat.chatId);
    if (!board) {
      board = new StatusBoard(this.deps, chat, (closed) => {
        if (this.#boards.get(chat.chatId) === closed) this.#boards.delete(chat.chatId);
      });
      this.#boards.set(chat.chatId, board);
    }
    return board;
  }
}
