import { describe, expect, it } from 'vitest';
import { MemeError } from '../../../src/errors.ts';
import { JobQueue } from '../../../src/queue/job-queue.ts';
import type { JobContext, JobEvent, JobQueueOptions } from '../../../src/queue/queue-types.ts';
import { gate, sleep } from './fake-work.ts';

function makeQueue(overrides: Partial<JobQueueOptions> = {}): JobQueue {
  return new JobQueue({
    lanes: [
      { name: 'cpu', devices: 1, concurrencyPerDevice: 1, timeoutMs: 10_000, initialJobMs: 1000 },
      { name: 'gpu', devices: 2, concurrencyPerDevice: 1, timeoutMs: 10_000, initialJobMs: 30_000 },
    ],
    maxPending: 50,
    maxActivePerUser: 10,
    hourlyLimitPerUser: 100,
    dailyLimitPerUser: 1000,
    ...overrides,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as MemeError).code;
  }
}

describe('JobQueue', () => {
  it('runs one user backlog fairly: a second user is not starved behind five jobs', async () => {
    const queue = makeQueue();
    const order: string[] = [];
    const gates = Array.from({ length: 5 }, (_, i) => gate(`a${i}`));
    const handles = gates.map((g, i) =>
      queue.submit({
        userId: 'alice',
        lane: 'cpu',
        run: (ctx) => {
          order.push(`a${i}`);
          return g.run(ctx);
        },
      }),
    );
    const bobGate = gate('b0');
    const bob = queue.submit({
      userId: 'bob',
      lane: 'cpu',
      run: (ctx) => {
        order.push('b0');
        return bobGate.run(ctx);
      },
    });
    gates[0].open();
    await bobGate.started;
    expect(order).toEqual(['a0', 'b0']);
    bobGate.open();
    for (const g of gates.slice(1)) g.open();
    expect(await bob.done).toBe('b0');
    expect(await Promise.all(handles.map((h) => h.done))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(order).toEqual(['a0', 'b0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('runs previews before full renders in a lane', async () => {
    const queue = makeQueue();
    const order: string[] = [];
    const first = gate('first');
    queue.submit({ userId: 'u0', lane: 'cpu', run: first.run });
    const full = queue.submit({ userId: 'u1', lane: 'cpu', priority: 'full', run: async () => void order.push('full') });
    const preview = queue.submit({ userId: 'u2', lane: 'cpu', priority: 'preview', run: async () => void order.push('preview') });
    first.open();
    await Promise.all([full.done, preview.done]);
    expect(order).toEqual(['preview', 'full']);
  });

  it('keeps lanes apart: a CPU job starts while the GPU lane is busy, and GPU jobs spread over devices', async () => {
    const queue = makeQueue();
    const g0 = gate('g0');
    const g1 = gate('g1');
    queue.submit({ userId: 'u0', lane: 'gpu', run: g0.run });
    queue.submit({ userId: 'u1', lane: 'gpu', run: g1.run });
    const cpu = queue.submit({ userId: 'u2', lane: 'cpu', run: async () => 'cpu done' });
    expect(await cpu.done).toBe('cpu done');
    const devices = [(await g0.started).deviceIndex, (await g1.started).deviceIndex].sort();
    expect(devices).toEqual([0, 1]);
    expect(queue.stats().lanes.gpu).toMatchObject({ running: 2, concurrency: 2 });
    g0.open();
    g1.open();
  });

  it('refuses with QUEUE_FULL past the pending cap', async () => {
    const queue = makeQueue({ maxPending: 2 });
    const running = gate('r');
    queue.submit({ userId: 'u0', lane: 'cpu', run: running.run });
    queue.submit({ userId: 'u1', lane: 'cpu', run: async () => 1 });
    queue.submit({ userId: 'u2', lane: 'cpu', run: async () => 2 });
    expect(() => queue.submit({ userId: 'u3', lane: 'cpu', run: async () => 3 })).toThrowError(
      expect.objectContaining({ code: 'QUEUE_FULL' }),
    );
    expect(queue.stats()).toMatchObject({ pending: 2, running: 1 });
    running.open();
  });

  it('queues a user\'s extra jobs behind their first, with positions, keeps another user\'s first job ahead of them, and refuses past the cap', async () => {
    const queue = makeQueue({ maxActivePerUser: 3 });
    const order: string[] = [];
    const events: Record<string, JobEvent[]> = {};
    const submit = (userId: string, label: string, work?: ReturnType<typeof gate>) =>
      queue.submit({
        userId,
        lane: 'cpu',
        onEvent: (event) => {
          events[label] = [...(events[label] ?? []), event];
        },
        run: async (ctx) => {
          order.push(label);
          return work ? work.run(ctx) : label;
        },
      });
    const first = gate('a1');
    const a = [submit('alice', 'a1', first), submit('alice', 'a2'), submit('alice', 'a3')];
    // Alice's second and third wait in line behind her first, and are told where they stand.
    expect(events.a2?.[0]).toMatchObject({ type: 'queued', position: 1 });
    expect(events.a3?.[0]).toMatchObject({ type: 'queued', position: 2 });
    // Her fourth reaches the cap she is told about; nothing else is refused.
    let refusal: MemeError | undefined;
    try {
      submit('alice', 'a4');
    } catch (error) {
      refusal = error as MemeError;
    }
    expect(refusal).toMatchObject({ code: 'BUSY', details: { max: 3 } });
    // Bob's first job arrives after Alice's burst and still goes before her second and third.
    const bob = submit('bob', 'b1');
    expect(events.b1?.[0]).toMatchObject({ type: 'queued', position: 1 });
    expect(events.a2?.at(-1)).toMatchObject({ type: 'position', position: 2 });
    first.open();
    expect(await Promise.all([...a.map((h) => h.done), bob.done])).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(order).toEqual(['a1', 'b1', 'a2', 'a3']);
    // The cap counts queued plus running jobs: once they are done Alice may queue three again.
    expect(await Promise.all([submit('alice', 'a5').done, submit('alice', 'a6').done, submit('alice', 'a7').done])).toEqual(['a5', 'a6', 'a7']);
  });

  it('allows one active job per user (BUSY) and frees the slot when the job ends', async () => {
    const queue = makeQueue({ maxActivePerUser: 1 });
    const work = gate('w');
    const first = queue.submit({ userId: 'u', lane: 'cpu', run: work.run });
    expect(() => queue.submit({ userId: 'u', lane: 'cpu', run: async () => 0 })).toThrowError(
      expect.objectContaining({ code: 'BUSY' }),
    );
    work.open();
    await first.done;
    expect(await queue.submit({ userId: 'u', lane: 'cpu', run: async () => 'again' }).done).toBe('again');
  });

  it('enforces hourly and daily caps per user with RATE_LIMITED and a retry time', async () => {
    let nowMs = 1_000_000;
    const queue = makeQueue({ hourlyLimitPerUser: 2, dailyLimitPerUser: 3, now: () => nowMs });
    const submit = (userId: string) => queue.submit({ userId, lane: 'cpu', run: async () => 'ok' }).done;
    await submit('u');
    await submit('u');
    let refusal: MemeError | undefined;
    try {
      queue.submit({ userId: 'u', lane: 'cpu', run: async () => 'no' });
    } catch (error) {
      refusal = error as MemeError;
    }
    expect(refusal?.code).toBe('RATE_LIMITED');
    expect(refusal?.details.retryAfterSec).toBe(3600);
    expect(await submit('other')).toBe('ok');
    nowMs += 3600_001;
    expect(await submit('u')).toBe('ok');
    expect(() => queue.submit({ userId: 'u', lane: 'cpu', run: async () => 'no' })).toThrowError(
      expect.objectContaining({ code: 'RATE_LIMITED' }),
    );
    nowMs += 23 * 3600_000;
    expect(await submit('u')).toBe('ok');
  });

  it('cancels a queued job without running it and moves the others up', async () => {
    const queue = makeQueue();
    const running = gate('r');
    queue.submit({ userId: 'u0', lane: 'cpu', run: running.run });
    let ran = false;
    const doomed = queue.submit({
      userId: 'u1',
      lane: 'cpu',
      run: async () => {
        ran = true;
      },
    });
    const events: JobEvent[] = [];
    const last = queue.submit({ userId: 'u2', lane: 'cpu', run: async () => 'last', onEvent: (e) => events.push(e) });
    expect(events).toEqual([expect.objectContaining({ type: 'queued', position: 2 })]);
    expect(doomed.cancel()).toBe(true);
    expect(await codeOf(doomed.done)).toBe('CANCELLED');
    expect(events.at(-1)).toMatchObject({ type: 'position', position: 1 });
    expect(doomed.cancel()).toBe(false);
    running.open();
    expect(await last.done).toBe('last');
    expect(ran).toBe(false);
  });

  it('cancels a running job: the work sees the signal and stops, and the lane moves on', async () => {
    const queue = makeQueue();
    const work = gate('w');
    const job = queue.submit({ userId: 'u0', lane: 'cpu', run: work.run });
    const next = queue.submit({ userId: 'u1', lane: 'cpu', run: async () => 'next' });
    await work.started;
    await sleep(30);
    expect(queue.cancelForUser('u0')).toBe(true);
    expect(await codeOf(job.done)).toBe('CANCELLED');
    expect(await next.done).toBe('next');
    expect(work.stats).toMatchObject({ sawAbort: true, stopped: true });
    const stepsAtStop = work.stats.steps;
    await sleep(30);
    expect(work.stats.steps).toBe(stepsAtStop);
  });

  it('times out a running job with TIMEOUT through its signal', async () => {
    const queue = makeQueue();
    const work = gate('slow');
    const job = queue.submit({ userId: 'u', lane: 'cpu', timeoutMs: 60, run: work.run });
    expect(await codeOf(job.done)).toBe('TIMEOUT');
    const context = await work.started;
    expect((context.signal.reason as MemeError).code).toBe('TIMEOUT');
    await sleep(20);
    expect(work.stats.sawAbort).toBe(true);
  });

  it('passes a failure of the work through as its coded error', async () => {
    const queue = makeQueue();
    const work = gate('bad');
    const job = queue.submit({ userId: 'u', lane: 'cpu', run: work.run });
    work.fail(new MemeError('NO_FACE', 'no face found'));
    expect(await codeOf(job.done)).toBe('NO_FACE');
    const crash = queue.submit({ userId: 'u', lane: 'cpu', run: async () => JSON.parse('{') });
    expect(await codeOf(crash.done)).toBe('INTERNAL');
  });

  it('gives a lane back when aborted work ignores its signal past abandonAfterMs', async () => {
    const abandoned: string[] = [];
    const queue = makeQueue({ abandonAfterMs: 50, onAbandoned: (id) => abandoned.push(id) });
    const stuck = queue.submit({ userId: 'u0', lane: 'cpu', run: () => new Promise(() => undefined) });
    const next = queue.submit({ userId: 'u1', lane: 'cpu', run: async () => 'next' });
    stuck.cancel();
    expect(await codeOf(stuck.done)).toBe('CANCELLED');
    expect(await next.done).toBe('next');
    expect(abandoned).toEqual([stuck.id]);
  });

  it('shuts down: queued users hear SHUTTING_DOWN, running work finishes within the grace period', async () => {
    const queue = makeQueue();
    const work = gate('w');
    const running = queue.submit({ userId: 'u0', lane: 'cpu', run: work.run });
    const queued = [1, 2].map((i) => queue.submit({ userId: `u${i}`, lane: 'cpu', run: async () => i }));
    await work.started;
    setTimeout(() => work.open('finished'), 40);
    await queue.shutdown(5000);
    expect(await running.done).toBe('finished');
    expect(await Promise.all(queued.map((q) => codeOf(q.done)))).toEqual(['SHUTTING_DOWN', 'SHUTTING_DOWN']);
    expect(() => queue.submit({ userId: 'u9', lane: 'cpu', run: async () => 0 })).toThrowError(
      expect.objectContaining({ code: 'SHUTTING_DOWN' }),
    );
    expect(queue.stats()).toMatchObject({ accepting: false, pending: 0 });
  });

  it('aborts running work that outlives the grace period', async () => {
    const queue = makeQueue();
    const work = gate('long');
    const running = queue.submit({ userId: 'u0', lane: 'gpu', run: work.run });
    await work.started;
    await queue.shutdown(40);
    expect(await codeOf(running.done)).toBe('SHUTTING_DOWN');
    expect(work.stats).toMatchObject({ sawAbort: true, stopped: true });
    expect(queue.stats().running).toBe(0);
  });

  it('reports start, stage progress and an ETA from the average of recent jobs', async () => {
    let nowMs = 0;
    const queue = makeQueue({ now: () => nowMs });
    for (const durationMs of [2000, 4000]) {
      const run = async () => {
        nowMs += durationMs;
      };
      await queue.submit({ userId: 'w', lane: 'cpu', run }).done;
    }
    expect(queue.stats().lanes.cpu.avgJobMs).toBe(3000);
    await sleep(0); // p-queue frees the finished job's slot in a microtask after it settles
    const block = gate('block');
    const blockRun = async (ctx: JobContext) => {
      await block.run(ctx);
      nowMs += 3000;
    };
    queue.submit({ userId: 'a', lane: 'cpu', run: blockRun });
    const events: JobEvent[] = [];
    const job = queue.submit({
      userId: 'b',
      lane: 'cpu',
      onEvent: (e) => events.push(e),
      run: async (ctx) => {
        nowMs += 1000;
        ctx.report({ stage: 'engine', fraction: 0.5 });
        return 'ok';
      },
    });
    // Position 1 behind one slot: wait one average, then one average of its own.
    expect(events[0]).toMatchObject({ type: 'queued', position: 1, etaSec: 6 });
    block.open();
    await job.done;
    const started = events.find((e) => e.type === 'started');
    expect(started).toMatchObject({ etaSec: 3 });
    expect(events.find((e) => e.type === 'progress')).toMatchObject({ stage: 'engine', fraction: 0.5, etaSec: 1 });
  });
});
