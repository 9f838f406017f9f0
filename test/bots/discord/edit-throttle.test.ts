import { describe, expect, it } from 'vitest';
import { EditThrottle, type ThrottleTimers, nextEditDelayMs } from '../../../src/bots/discord/edit-throttle.ts';

/** A hand-driven clock and timer queue: advancing time fires due timers in order. */
function manualTime() {
  let now = 1_000_000;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  const api: ThrottleTimers = {
    set(fn, delayMs) {
      nextId += 1;
      timers.push({ at: now + delayMs, fn, id: nextId });
      return nextId;
    },
    clear(handle) {
      const index = timers.findIndex((t) => t.id === handle);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  return {
    nowMs: () => now,
    timers: api,
    pendingTimers: () => timers.length,
    async advance(ms: number) {
      now += ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > now) break;
        timers.shift();
        due.fn();
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('nextEditDelayMs', () => {
  it('lets the first edit go at once and spaces later ones by the interval', () => {
    expect(nextEditDelayMs(undefined, 5_000, 3_000)).toBe(0);
    expect(nextEditDelayMs(5_000, 6_000, 3_000)).toBe(2_000);
    expect(nextEditDelayMs(5_000, 9_000, 3_000)).toBe(0);
  });
});

describe('EditThrottle', () => {
  it('sends at most one edit per 3 s and keeps only the newest pending one', async () => {
    const time = manualTime();
    const sent: Array<{ text: string; at: number }> = [];
    const throttle = new EditThrottle(3_000, time.nowMs, time.timers);
    const edit = (text: string) => async () => void sent.push({ text, at: time.nowMs() });
    throttle.offer(edit('a'));
    await time.advance(0);
    throttle.offer(edit('b'));
    throttle.offer(edit('c'));
    await time.advance(1_000);
    expect(sent.map((s) => s.text)).toEqual(['a']);
    await time.advance(2_000);
    expect(sent.map((s) => s.text)).toEqual(['a', 'c']);
    throttle.offer(edit('d'));
    await time.advance(2_999);
    expect(sent).toHaveLength(2);
    await time.advance(1);
    expect(sent.map((s) => s.text)).toEqual(['a', 'c', 'd']);
    for (let i = 1; i < sent.length; i++) expect(sent[i].at - sent[i - 1].at).toBeGreaterThanOrEqual(3_000);
  });

  it('close drops the waiting edit, waits for the one in flight and refuses new ones', async () => {
    const time = manualTime();
    const sent: string[] = [];
    let release: () => void = () => {};
    const throttle = new EditThrottle(3_000, time.nowMs, time.timers);
    throttle.offer(() => new Promise<void>((resolve) => { release = () => { sent.push('slow'); resolve(); }; }));
    await time.advance(0);
    throttle.offer(async () => void sent.push('waiting'));
    let closed = false;
    const closing = throttle.close().then(() => { closed = true; });
    await time.advance(0);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(closed).toBe(true);
    throttle.offer(async () => void sent.push('after'));
    await time.advance(10_000);
    expect(sent).toEqual(['slow']);
    expect(time.pendingTimers()).toBe(0);
  });

  it('reports a failed edit and keeps pacing later ones', async () => {
    const time = manualTime();
    const errors: unknown[] = [];
    const sent: string[] = [];
    const throttle = new EditThrottle(3_000, time.nowMs, time.timers, (e) => errors.push(e));
    throttle.offer(async () => { throw new Error('429'); });
    await time.advance(0);
    throttle.offer(async () => void sent.push('next'));
    await time.advance(3_000);
    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['next']);
  });
});
