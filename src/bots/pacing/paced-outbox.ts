// Every message a platform adapter puts in a chat goes through here: one queue per chat, served one message at a
// time in the order and at the moments pace-rule.ts decides. Statuses are coalesced per status key (the newest
// text is read when its turn comes, so a burst of progress costs one edit), results overtake them, and a 429 pauses
// the chat and is retried. Platform-neutral: the adapter names the chat, its PaceLimits and what a 429 looks like.
import { ChatPace, GlobalPace, KIND_RANK, type MessageKind, type PaceLimits } from './pace-rule.ts';

export interface ChatRef {
  /** Stable per chat (a chat id, an interaction token, a web job id). */
  key: string;
  limits: PaceLimits;
}

interface PacedOutboxOptions {
  /** The wait a rate-limit refusal asks for, in ms; undefined for any other error. */
  retryAfterMs(error: unknown): number | undefined;
  /** How many times one call is retried after a rate-limit refusal before it fails. */
  maxRetries: number;
  /** The bot-wide budget over all chats (Telegram: about 30 messages a second); none when absent. */
  global?: { ms: number; max: number };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Item {
  seq: number;
  kind(): MessageKind;
  askedMs: number;
  /** Resolves to whether a message was put in the chat (a status with nothing new to show puts none). */
  run(): Promise<{ value: unknown; sent: boolean }>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  attempts: number;
  statusKey?: string;
  /** The promise callers of the same status share while it waits. */
  shown?: Promise<void>;
}

interface Lane {
  pace: ChatPace;
  items: Item[];
  pumping: boolean;
  /** The message on its way, if any. */
  inFlight?: Promise<unknown>;
  wake?: () => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PacedOutbox {
  readonly #options: Required<Omit<PacedOutboxOptions, 'sleep' | 'global'>>;
  /** An injected sleep (virtual time in tests); real timers otherwise, cleared when the wait ends early. */
  readonly #sleep: PacedOutboxOptions['sleep'];
  readonly #lanes = new Map<string, Lane>();
  readonly #global: GlobalPace | undefined;
  #seq = 0;

  constructor(options: PacedOutboxOptions) {
    this.#options = { ...options, now: options.now ?? Date.now };
    this.#sleep = options.sleep;
    this.#global = options.global ? new GlobalPace(options.global) : undefined;
  }

  /** Sends a message of `kind` when its turn comes; resolves with the call's value. */
  send<T>(chat: ChatRef, kind: MessageKind, call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#enqueue(chat, {
        kind: () => kind,
        run: async () => ({ value: await call(), sent: true }),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /**
   * Asks for the status `statusKey` to be shown: `show` runs when its turn comes and returns whether it put or
   * changed a message. While it waits, more asks for the same key share its turn. `kind` is read at each turn
   * ('ack' while the status names a request not yet shown, else 'progress', or 'waiting' for positions only).
   */
  status(chat: ChatRef, statusKey: string, show: () => Promise<boolean>, kind: () => MessageKind): Promise<void> {
    const lane = this.#lane(chat);
    const waiting = lane.items.find((i) => i.statusKey === statusKey);
    if (waiting?.shown) {
      lane.wake?.(); // its kind may have changed (a new request to acknowledge)
      return waiting.shown;
    }
    let item!: Item;
    const shown = new Promise<void>((resolve, reject) => {
      item = this.#item({ kind, run: async () => ({ value: undefined, sent: await show() }), resolve: () => resolve(), reject }, statusKey);
    });
    item.shown = shown;
    lane.items.push(item);
    this.#kick(lane);
    return shown;
  }

  /** Forgets a status that has not had its turn yet (its waiters resolve). */
  drop(chat: ChatRef, statusKey: string): void {
    const lane = this.#lanes.get(chat.key);
    const index = lane?.items.findIndex((i) => i.statusKey === statusKey) ?? -1;
    if (!lane || index < 0) return;
    const [item] = lane.items.splice(index, 1);
    item!.resolve(undefined);
  }

  /** Drops the status if it is still waiting, and resolves once the message on its way (if any) has landed. */
  async quiet(chat: ChatRef, statusKey: string): Promise<void> {
    this.drop(chat, statusKey);
    await this.#lanes.get(chat.key)?.inFlight?.catch(() => undefined);
  }

  /** A result is now owed to this chat (+1), or was sent or is no longer due (-1). */
  owe(chat: ChatRef, delta: number): void {
    const lane = this.#lane(chat);
    lane.pace.owed = Math.max(0, lane.pace.owed + delta);
    lane.wake?.();
  }

  /** A call with no message cost (chat actions, callback answers, getFile, deletes): unpaced, retried on 429. */
  async direct<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const retryMs = this.#options.retryAfterMs(error);
        if (retryMs === undefined || attempt >= this.#options.maxRetries) throw error;
        await (this.#sleep ?? realSleep)(retryMs);
      }
    }
  }

  /** Forgets chats with nothing waiting whose history no longer constrains anything. */
  prune(): void {
    const now = this.#options.now();
    for (const [key, lane] of this.#lanes) if (!lane.pumping && lane.items.length === 0 && lane.pace.idle(now)) this.#lanes.delete(key);
  }

  #item(parts: Pick<Item, 'kind' | 'run' | 'resolve' | 'reject'>, statusKey?: string): Item {
    return { ...parts, seq: this.#seq++, askedMs: this.#options.now(), attempts: 0, statusKey };
  }

  #enqueue(chat: ChatRef, parts: Pick<Item, 'kind' | 'run' | 'resolve' | 'reject'>): void {
    const lane = this.#lane(chat);
    lane.items.push(this.#item(parts));
    this.#kick(lane);
  }

  #lane(chat: ChatRef): Lane {
    let lane = this.#lanes.get(chat.key);
    if (!lane) {
      lane = { pace: new ChatPace(chat.limits), items: [], pumping: false };
      this.#lanes.set(chat.key, lane);
    }
    return lane;
  }

  #kick(lane: Lane): void {
    if (lane.pumping) {
      lane.wake?.();
      return;
    }
    lane.pumping = true;
    void this.#pump(lane).finally(() => {
      lane.pumping = false;
      if (lane.items.length > 0) this.#kick(lane);
    });
  }

  /** Serves the chat's queue: the best-ranked item, at the earliest time the rule allows, one at a time. */
  async #pump(lane: Lane): Promise<void> {
    const { now } = this.#options;
    while (lane.items.length > 0) {
      const item = lane.items.reduce((best, i) => {
        const rank = KIND_RANK[i.kind()] - KIND_RANK[best.kind()];
        return rank < 0 || (rank === 0 && i.seq < best.seq) ? i : best;
      });
      const kind = item.kind();
      const atMs = lane.pace.earliest(kind, now(), item.askedMs, this.#global);
      if (atMs === undefined || atMs > now()) {
        // Woken early when something changes: a better-ranked message arrives, or an owed result went out.
        await this.#wait(lane, atMs === undefined ? undefined : atMs - now());
        continue;
      }
      lane.items.splice(lane.items.indexOf(item), 1);
      this.#global?.started(now());
      const running = item.run();
      lane.inFlight = running;
      try {
        const { value, sent } = await running;
        if (sent) lane.pace.confirmed(kind, now());
        item.resolve(value);
      } catch (error) {
        const retryMs = this.#options.retryAfterMs(error);
        if (retryMs === undefined || item.attempts >= this.#options.maxRetries) {
          item.reject(error);
          continue;
        }
        item.attempts++;
        lane.pace.pause(now() + retryMs);
        lane.items.push(item); // keeps its place: its seq still ranks it before later items of its kind
      } finally {
        lane.inFlight = undefined;
      }
    }
  }

  #wait(lane: Lane, ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (lane.wake === done) lane.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
      lane.wake = done;
      if (ms === undefined) return;
      if (this.#sleep) void this.#sleep(ms).then(done);
      else timer = setTimeout(done, ms);
    });
  }
}
