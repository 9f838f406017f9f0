// Requests on their way to the service (their photo or clip still downloading), per user: a user's requests are
// handed over in the order they were sent, however the downloads finish, and /cancel reaches those not yet
// handed over. Bookkeeping only; nothing here downloads or submits.
import { MemeError } from '../../errors.ts';

/** One request's place in its user's line. */
interface Handover {
  /** Settles when the user's earlier requests have been handed over (or given up). */
  readonly turn: Promise<void>;
  /** Aborted by /cancel before the request was handed over. */
  readonly signal: AbortSignal;
  /** Marks the request handed over (or given up): the next in line may go. Idempotent. */
  done(): void;
}

export class HandoverLine {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, Set<AbortController>>();

  /** Joins the end of the user's line. */
  join(userId: string): Handover {
    const turn = this.#tails.get(userId) ?? Promise.resolve();
    let release!: () => void;
    const handed = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = turn.then(() => handed);
    this.#tails.set(userId, tail);
    void tail.then(() => {
      if (this.#tails.get(userId) === tail) this.#tails.delete(userId);
    });
    const cancel = new AbortController();
    const waiting = this.#waiting.get(userId) ?? new Set();
    this.#waiting.set(userId, waiting.add(cancel));
    return {
      turn,
      signal: cancel.signal,
      done: () => {
        release();
        waiting.delete(cancel);
        if (waiting.size === 0 && this.#waiting.get(userId) === waiting) this.#waiting.delete(userId);
      },
    };
  }

  /** /cancel: aborts every request of the user not yet handed over; true when there was one. */
  cancel(userId: string): boolean {
    const waiting = [...(this.#waiting.get(userId) ?? [])];
    for (const request of waiting) request.abort(new MemeError('CANCELLED', 'cancelled by the requester'));
    return waiting.length > 0;
  }
}
