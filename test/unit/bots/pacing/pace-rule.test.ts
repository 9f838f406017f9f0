// The one pacing rule (src/bots/pacing/pace-rule.ts), pinned on explicit times: chat gap from confirmations,
// a group's window, results before acknowledgements before progress, the reserve for owed results, the status
// gap, the acknowledgement's gathering moment and a 429's pause.
import { describe, expect, it } from 'vitest';
import { ChatPace, GlobalPace, KIND_RANK, type MessageKind, type PaceLimits } from '../../../../src/bots/pacing/pace-rule.ts';

const PRIVATE: PaceLimits = { chatGapMs: 1000, statusGapMs: 3000, gatherMs: 200 };
const GROUP: PaceLimits = { ...PRIVATE, window: { ms: 60_000, max: 20 } };

/** Sends `n` messages of `kind` as early as the rule allows (each confirmed the moment it starts). */
function sendAsap(pace: ChatPace, kind: MessageKind, n: number, fromMs: number): number[] {
  const times: number[] = [];
  let now = fromMs;
  for (let i = 0; i < n; i++) {
    const at = pace.earliest(kind, now, now)!;
    pace.confirmed(kind, at);
    times.push(at);
    now = at;
  }
  return times;
}

describe('the pacing rule', () => {
  it('spaces messages in one chat by the chat gap, counted from each confirmation', () => {
    const pace = new ChatPace(PRIVATE);
    expect(sendAsap(pace, 'result', 3, 5000)).toEqual([5000, 6000, 7000]);
    // The server answered late: the next one waits a full gap after that answer, not after the ask.
    pace.confirmed('result', 9500);
    expect(pace.earliest('result', 9600)).toBe(10_500);
    // After a quiet spell a message goes at once.
    expect(pace.earliest('result', 20_000)).toBe(20_000);
  });

  it('holds a group to 20 messages in any minute, and private chats to the gap only', () => {
    const group = new ChatPace(GROUP);
    const times = sendAsap(group, 'result', 45, 0);
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(60_000);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    // The 21st waits for the 1st to leave the window, not longer.
    expect(times[20]).toBe(60_000);
    expect(sendAsap(new ChatPace(PRIVATE), 'result', 25, 0)[24]).toBe(24_000);
  });

  it('lets progress take only the window slots that owed results leave free; results and acknowledgements may use them', () => {
    const group = new ChatPace(GROUP);
    group.owed = 5;
    sendAsap(group, 'result', 15, 0); // t = 0 .. 14 s
    // 15 used + 5 owed = 20: progress must wait for the oldest to leave the window, results need not.
    expect(group.earliest('progress', 15_000)).toBe(60_000);
    expect(group.earliest('ack', 15_000, 15_000)).toBe(15_200);
    expect(group.earliest('result', 15_000)).toBe(15_000);
    // As many results owed as the whole window: progress waits for a result to go, whatever the time.
    group.owed = 20;
    expect(group.earliest('progress', 200_000)).toBeUndefined();
    expect(group.earliest('result', 200_000)).toBe(200_000);
    // A private chat has no window to reserve.
    const chat = new ChatPace(PRIVATE);
    chat.owed = 50;
    expect(chat.earliest('progress', 0)).toBe(0);
  });

  it('spaces status changes by the status gap; results are not held by it', () => {
    const pace = new ChatPace(PRIVATE);
    pace.confirmed('progress', 10_000);
    expect(pace.earliest('progress', 10_500)).toBe(13_000);
    expect(pace.earliest('result', 10_500)).toBe(11_000);
    // An acknowledgement is a status change too: the next progress waits after it.
    pace.confirmed('ack', 14_000);
    expect(pace.earliest('progress', 14_100)).toBe(17_000);
    // A result is not: it leaves the status gap alone.
    pace.confirmed('result', 18_000);
    expect(pace.earliest('progress', 18_100)).toBe(19_000);
    // A queue position alone waits its own, longer gap, and ranks last.
    const waiting = new ChatPace({ ...PRIVATE, statusGapMs: 1000, waitingGapMs: 5000 });
    waiting.confirmed('progress', 0);
    expect(waiting.earliest('progress', 100)).toBe(1000);
    expect(waiting.earliest('waiting', 100)).toBe(5000);
    expect(KIND_RANK.waiting).toBeGreaterThan(KIND_RANK.progress);
  });

  it('lets an acknowledgement wait a moment for company after it was asked for', () => {
    const pace = new ChatPace(PRIVATE);
    expect(pace.earliest('ack', 1000, 1000)).toBe(1200);
    expect(pace.earliest('ack', 1500, 1000)).toBe(1500);
  });

  it('holds all chats together to the bot-wide budget, with room kept for results', () => {
    const global = new GlobalPace({ ms: 1000, max: 30 });
    const chats = Array.from({ length: 40 }, () => new ChatPace(PRIVATE));
    // Forty chats each want a progress edit at t = 0: twenty go in the first second (two thirds of 30)...
    const starts = chats.map((chat) => {
      const at = chat.earliest('progress', 0, 0, global)!;
      global.started(at);
      return at;
    });
    expect(starts.filter((t) => t < 1000)).toHaveLength(20);
    for (let i = 30; i < starts.length; i++) expect(starts[i]! - starts[i - 30]!).toBeGreaterThanOrEqual(1000);
    // ...so a result asked for in that second still finds a slot in it.
    expect(new ChatPace(PRIVATE).earliest('result', 10, 10, new GlobalPace({ ms: 1000, max: 30 }))).toBe(10);
    const busy = new GlobalPace({ ms: 1000, max: 30 });
    for (let i = 0; i < 20; i++) busy.started(i);
    expect(busy.earliest('result', 50)).toBe(50);
    expect(busy.earliest('progress', 50)).toBe(1000);
  });

  it('pauses a chat until a 429 retry_after has passed, and forgets nothing it still needs', () => {
    const pace = new ChatPace(GROUP);
    pace.confirmed('result', 0);
    pace.pause(30_000);
    expect(pace.earliest('result', 2000)).toBe(30_000);
    expect(pace.idle(10_000)).toBe(false);
    expect(pace.idle(61_000)).toBe(true);
    pace.owed = 1;
    expect(pace.idle(61_000)).toBe(false);
  });
});
