// A user's requests reach the service in the order sent, whichever download finishes first; /cancel reaches the
// ones not yet handed over, and other users' lines are their own.
import { describe, expect, it } from 'vitest';
import { HandoverLine } from '../../../src/bots/telegram/handover-line.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HandoverLine', () => {
  it('hands a user\'s requests over in the order sent, whatever order their downloads finish in', async () => {
    const line = new HandoverLine();
    const handed: string[] = [];
    const requests = ['first', 'second', 'third'].map((name) => ({ name, handover: line.join('u') }));
    const other = line.join('v');
    // The third download finishes first, then the second, then the first.
    const flows = [...requests].reverse().map(async ({ name, handover }, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 5));
      await handover.turn;
      handed.push(name);
      handover.done();
    });
    // Another user's request is not in this line at all.
    await other.turn;
    handed.push('other');
    other.done();
    await Promise.all(flows);
    expect(handed).toEqual(['other', 'first', 'second', 'third']);
  });

  it('cancels the requests not yet handed over, and only those', async () => {
    const line = new HandoverLine();
    const first = line.join('u');
    first.done();
    const second = line.join('u');
    const elsewhere = line.join('v');
    expect(line.cancel('u')).toBe(true);
    expect(second.signal.reason).toMatchObject({ code: 'CANCELLED' });
    expect(first.signal.aborted).toBe(false);
    expect(elsewhere.signal.aborted).toBe(false);
    second.done();
    await tick();
    expect(line.cancel('u')).toBe(false);
  });
});
