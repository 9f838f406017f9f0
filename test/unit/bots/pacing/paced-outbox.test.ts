// The paced outbox serves each chat's queue by the pacing rule: results before acknowledgements before progress,
// a status coalesced to its newest text, no burst after a stall, a group's window held through a long backlog, a
// starved progress edit going once a result is out, and quiet() as the barrier before a final word.
import { describe, expect, it } from 'vitest';
import { type ChatRef, PacedOutbox } from '../../../../src/bots/pacing/paced-outbox.ts';

/** A clock that only moves when the outbox sleeps, so waits are observed, not spent. */
function virtualTime() {
  let nowMs = 0;
  const advance = (ms: number) => {
    nowMs += ms;
  };
  return { now: () => nowMs, sleep: async (ms: number) => advance(ms), advance };
}

const noRetry = { retryAfterMs: () => undefined, maxRetries: 0 };
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PacedOutbox', () => {
  it('serves a chat\'s waiting messages as results, then acknowledgements, then progress', async () => {
    const time = virtualTime();
    const outbox = new PacedOutbox({ ...noRetry, now: time.now, sleep: time.sleep });
    const chat: ChatRef = { key: 'c', limits: { chatGapMs: 1000, statusGapMs: 0, gatherMs: 0 } };
    const order: string[] = [];
    const first = outbox.send(chat, 'result', async () => order.push('first'));
    // Asked for while the first holds the chat's gap: the progress edit first, the result last.
    const progress = outbox.status(chat, 'p', async () => Boolean(order.push('progress')), () => 'progress');
    const ack = outbox.status(chat, 'a', async () => Boolean(order.push('ack')), () => 'ack');
    const result = outbox.send(chat, 'result', async () => order.push('result'));
    await Promise.all([first, progress, ack, result]);
    expect(order).toEqual(['first', 'result', 'ack', 'progress']);
    expect(time.now()).toBe(3000);
  });

  it('coalesces a status: asks while it waits share one turn, which shows the newest text', async () => {
    const time = virtualTime();
    const outbox = new PacedOutbox({ ...noRetry, now: time.now, sleep: time.sleep });
    const chat: ChatRef = { key: 'c', limits: { chatGapMs: 1000, statusGapMs: 3000, gatherMs: 0 } };
    const shown: string[] = [];
    let text = 'a';
    const show = async () => Boolean(shown.push(text));
    await outbox.status(chat, 's', show, () => 'progress');
    const asks = ['b', 'c', 'd'].map((t) => {
      text = t;
      return outbox.status(chat, 's', show, () => 'progress');
    });
    await Promise.all(asks);
    expect(shown).toEqual(['a', 'd']);
    expect(time.now()).toBe(3000);
  });

  it('sends a backlog after a stall one gap apart, never in a burst', async () => {
    const outbox = new PacedOutbox(noRetry);
    const chat: ChatRef = { key: 'c', limits: { chatGapMs: 100, statusGapMs: 0, gatherMs: 0 } };
    const sentMs: number[] = [];
    const sends = Array.from({ length: 5 }, () => outbox.send(chat, 'result', async () => sentMs.push(Date.now())));
    // The event loop is held (as a render on the main thread used to hold it) while the backlog waits.
    const until = Date.now() + 450;
    while (Date.now() < until) {
      // busy
    }
    await Promise.all(sends);
    for (let i = 1; i < sentMs.length; i++) expect(sentMs[i]! - sentMs[i - 1]!).toBeGreaterThanOrEqual(99);
  });

  it('holds a group\'s window through a long backlog, and lets starved progress go once an owed result is out', async () => {
    const time = virtualTime();
    const outbox = new PacedOutbox({ ...noRetry, now: time.now, sleep: time.sleep });
    const group: ChatRef = { key: 'g', limits: { chatGapMs: 100, statusGapMs: 0, gatherMs: 0, window: { ms: 10_000, max: 3 } } };
    const sentMs: number[] = [];
    await Promise.all(Array.from({ length: 10 }, () => outbox.send(group, 'result', async () => sentMs.push(time.now()))));
    for (let i = 3; i < sentMs.length; i++) expect(sentMs[i]! - sentMs[i - 3]!).toBeGreaterThanOrEqual(10_000);
    // Three results owed fill the window: a progress edit waits for one of them to go, whatever the clock says.
    time.advance(60_000);
    outbox.owe(group, 3);
    let editedAtMs: number | undefined;
    const show = async () => {
      editedAtMs = time.now();
      return true;
    };
    const edit = outbox.status(group, 's', show, () => 'progress');
    await tick();
    expect(editedAtMs).toBeUndefined();
    const resultAtMs = time.now();
    await outbox.send(group, 'result', async () => undefined);
    outbox.owe(group, -1);
    await edit;
    // One sent and two still owed leave one slot, free once the result has left the window.
    expect(editedAtMs).toBe(resultAtMs + 10_000);
  });

  it('quiet() drops the waiting status and resolves once the one in flight has landed', async () => {
    const outbox = new PacedOutbox(noRetry);
    const chat: ChatRef = { key: 'c', limits: { chatGapMs: 0, statusGapMs: 3000, gatherMs: 0 } };
    const shown: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    void outbox.status(chat, 's', async () => {
      await slow;
      return Boolean(shown.push('slow'));
    }, () => 'progress');
    await tick();
    const waiting = outbox.status(chat, 's', async () => Boolean(shown.push('waiting')), () => 'progress');
    let quiet = false;
    const quieting = outbox.quiet(chat, 's').then(() => {
      quiet = true;
    });
    await tick();
    expect(quiet).toBe(false);
    release();
    await Promise.all([quieting, waiting]);
    expect(shown).toEqual(['slow']);
  });
});
