import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../../src/queue/fair-queue.ts';
import { MovingAverage } from '../../../src/queue/moving-average.ts';

describe('FairQueue', () => {
  const runner = (label: string, log: string[]) => async () => void log.push(label);

  it('dequeues by priority, then round-robin over users, and orderedIds predicts it', async () => {
    const queue = new FairQueue();
    const log: string[] = [];
    const add = (id: string, userId: string, priority = 0) => queue.enqueue(runner(id, log), { id, userId, priority });
    add('a1', 'a');
    add('a2', 'a');
    add('a3', 'a');
    add('b1', 'b');
    add('c1', 'c');
    add('p1', 'a', 1);
    add('b2', 'b');
    const predicted = queue.orderedIds();
    expect(predicted).toEqual(['p1', 'b1', 'c1', 'a1', 'b2', 'a2', 'a3']);
    for (let run = queue.dequeue(); run; run = queue.dequeue()) await run();
    expect(log).toEqual(predicted);
  });

  it('removes by id and counts by priority', () => {
    const queue = new FairQueue();
    queue.enqueue(async () => 1, { id: 'x', userId: 'u', priority: 1 });
    queue.enqueue(async () => 2, { id: 'y', userId: 'u' });
    expect(queue.filter({ priority: 1 })).toHaveLength(1);
    queue.remove('x');
    expect(queue.size).toBe(1);
    expect(queue.orderedIds()).toEqual(['y']);
  });
});

describe('MovingAverage', () => {
  it('averages the last N samples, with a fallback before any', () => {
    const average = new MovingAverage(3, 500);
    expect(average.value).toBe(500);
    for (const sample of [100, 200, 300, 900]) average.push(sample);
    expect(average.value).toBeCloseTo((200 + 300 + 900) / 3);
    expect(average.count).toBe(3);
  });
});
