// Calls one job's Replier in order (queued before progress before deliver/fail) and never lets an adapter's
// failure escape into the service: each call is awaited in turn and its error logged.
import type { Logger } from '../logger.ts';
import type { Replier } from './service-types.ts';

export class ReplierChannel {
  readonly #replier: Replier;
  readonly #log: Logger;
  #tail: Promise<void> = Promise.resolve();

  constructor(replier: Replier, log: Logger) {
    this.#replier = replier;
    this.#log = log;
  }

  /** Queues a call after the previous ones; the returned promise settles when it has run (never rejects). */
  send<K extends keyof Replier>(method: K, ...args: Parameters<Replier[K]>): Promise<void> {
    const call = async () => {
      try {
        await (this.#replier[method] as (...a: Parameters<Replier[K]>) => unknown).apply(this.#replier, args);
      } catch (error) {
        this.#log.warn('replier call failed', { method, error });
      }
    };
    this.#tail = this.#tail.then(call);
    return this.#tail;
  }

  /** Settles when every call sent so far has run. */
  drained(): Promise<void> {
    return this.#tail;
  }
}
