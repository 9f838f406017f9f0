// The service passes every queue move and stage to the requester's Replier, in order and under their job id:
// it decides nothing about pacing (each platform's pacing, bots/pacing/, shows the newest update its limits
// allow), so no update — the last one above all — is lost to a throttle on the way.
import { describe, expect, it } from 'vitest';
import { createMemeService } from '../../../src/bots/service.ts';
import type { MemeRequest } from '../../../src/bots/service-types.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

// A seed per user, so each request is a render of its own (identical requests in flight share one).
const request = (userId: string, seed = 1): MemeRequest => ({ platform: 'telegram', userId, photo: PHOTO, templateId: 'nod-along', format: 'gif', seed });

describe('service progress to the replier', () => {
  it('tells a user at position 20 every move on the way to the front', async () => {
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
    expect(last.positions()).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(last.kinds().at(-1)).toBe('deliver');
  });

  it('passes every stage update while rendering, ending on the last one before the result', async () => {
    const clock = { now: 1_000_000, advanceMs: 100 };
    const renderer = new FakeRenderer();
    renderer.clock = clock;
    renderer.steps = 50; // 50 progress reports over 5 s of (fake) time
    const service = createMemeService({ config: testConfig(), renderer, templates: testTemplates(), now: () => clock.now });
    const replier = new RecordingReplier();
    await service.submit(request('telegram:1'), replier);
    await replier.ended;
    const stages = replier.stageUpdates();
    // "started" (decode 0) and the renderer's 50 reports, overall fractions rising to 1.
    expect(stages).toHaveLength(51);
    expect(stages[0]).toMatchObject({ stage: 'decode', fraction: 0 });
    expect(stages.at(-1)!.fraction).toBeCloseTo(1);
    for (let i = 1; i < stages.length; i++) expect(stages[i]!.fraction!).toBeGreaterThanOrEqual(stages[i - 1]!.fraction!);
    expect(replier.kinds().at(-1)).toBe('deliver');
  });
});
