// p-queue's storage strategy for one lane: higher priority first, then round-robin across users, so one
// user's backlog never starves another user's single job. Knows nothing of memes or of running work.
import type { QueueAddOptions } from 'p-queue';

type RunFunction = () => Promise<unknown>;

export type FairQueueOptions = QueueAddOptions & { userId?: string };

interface Entry {
  run: RunFunction;
  id: string;
  userId: string;
  priority: number;
  seq: number;
}

// Users with nothing queued are forgotten past this many, oldest-served first, to bound memory.
const MAX_REMEMBERED_USERS = 10_000;

export class FairQueue {
  #entries: Entry[] = [];
  #seq = 0;
  #serveCounter = 0;
  // When each user was last served; the least recently served user goes next within a priority class.
  #lastServed = new Map<string, number>();

  enqueue(run: RunFunction, options?: Partial<FairQueueOptions>): void {
    this.#entries.push({
      run,
      id: String(options?.id ?? `anon-${this.#seq}`),
      userId: options?.userId ?? '',
      priority: options?.priority ?? 0,
      seq: this.#seq++,
    });
  }

  dequeue(): RunFunction | undefined {
    const next = this.#pickNext(this.#entries, this.#lastServed);
    if (!next) return undefined;
    this.#entries.splice(this.#entries.indexOf(next), 1);
    this.#lastServed.set(next.userId, ++this.#serveCounter);
    this.#forgetIdleUsers();
    return next.run;
  }

  remove(idOrRun: string | RunFunction): void {
    const index = this.#entries.findIndex((e) => (typeof idOrRun === 'string' ? e.id === idOrRun : e.run === idOrRun));
    if (index !== -1) this.#entries.splice(index, 1);
  }

  setPriority(id: string, priority: number): void {
    const entry = this.#entries.find((e) => e.id === id);
    if (!entry) throw new ReferenceError(`No promise function with the id "${id}" exists in the queue.`);
    entry.priority = priority;
  }

  filter(options: Readonly<Partial<FairQueueOptions>>): RunFunction[] {
    return this.#entries.filter((e) => e.priority === options.priority).map((e) => e.run);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Ids in the order they would be dequeued if nothing else arrived; index + 1 is the queue position. */
  orderedIds(): string[] {
    const entries = [...this.#entries];
    const lastServed = new Map(this.#lastServed);
    let counter = this.#serveCounter;
    const order: string[] = [];
    // Simulates dequeue on copies; n is bounded by the pending cap so O(n^2) stays small.
    while (entries.length > 0) {
      const next = this.#pickNext(entries, lastServed)!;
      entries.splice(entries.indexOf(next), 1);
      lastServed.set(next.userId, ++counter);
      order.push(next.id);
    }
    return order;
  }

  #pickNext(entries: Entry[], lastServed: Map<string, number>): Entry | undefined {
    let best: Entry | undefined;
    let bestServed = 0;
    for (const entry of entries) {
      const served = lastServed.get(entry.userId) ?? -1;
      if (
        !best ||
        entry.priority > best.priority ||
        (entry.priority === best.priority && (served < bestServed || (served === bestServed && entry.seq < best.seq)))
      ) {
        best = entry;
        bestServed = served;
      }
    }
    return best;
  }

  #forgetIdleUsers(): void {
    if (this.#lastServed.size <= MAX_REMEMBERED_USERS) return;
    const queuedUsers = new Set(this.#entries.map((e) => e.userId));
    const idle = [...this.#lastServed].filter(([user]) => !queuedUsers.has(user)).sort((a, b) => a[1] - b[1]);
    for (const [user] of idle.slice(0, idle.length - MAX_REMEMBERED_USERS / 2)) this.#lastServed.delete(user);
  }
}
