import { describe, expect, it } from 'vitest';
import { createMemeService } from '../../../src/bots/service.ts';
import type { MemeRequest } from '../../../src/bots/service-types.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

// A seed per user, so each request is a render of its own (identical requests in flight share one).
const request = (userId: string, seed = 1): MemeRequest => ({ platform: 'telegram', userId, photo: PHOTO, templateId: 'nod-along', format: 'gif', seed });

describe('service progress to the replier', () => {
  it('tells a user at position 20 only the geometric steps on the way to the front', async () => {
    const renderer = new FakeRenderer();
    let release!: () => void;
    renderer.hold = new Promise((res) => {
      release = res;
    });
    const service = createMemeService({ config: testConfig(), renderer, templates: testTemplates() });
    const repliers = Array.from({ length: 21 }, () => new RecordingReplier());
    for (const [i, replier] of repliers.entries()) await service.submit(request(`telegram:${i}`, i), replier);
    const last = repliers[20];
    expect(last.events[0]).toMatchObject({ kind: 'queued', update: { position: 20, etaSec: expect.any(Number) } });
    release();
    renderer.hold = undefined;
    await Promise.all(repliers.map((r) => r.ended));
    // 19 moves forward, 9 of them worth a message.
    expect(last.positions()).toEqual([16, 12, 9, 7, 5, 4, 3, 2, 1]);
    expect(last.kinds().at(-1)).toBe('deliver');
  });

  it('sends stage updates at most once per interval while rendering', async () => {
    const clock = { now: 1_000_000, advanceMs: 100 };
    const renderer = new FakeRenderer();
    renderer.clock = clock;
    renderer.steps = 50; // 50 progress reports over 5 s of (fake) time
    const service = createMemeService({ config: testConfig(), renderer, templates: testTemplates(), now: () => clock.now });
    const replier = new RecordingReplier();
    await service.submit(request('telegram:1'), replier);
    await replier.ended;
    const stages = replier.stageUpdates();
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatchObject({ stage: 'decode', fraction: 0 });
    expect(stages[1].fraction).toBeCloseTo(31 / 50);
  });
});
