// Identical requests in flight share one render: everyone waiting gets the result under their own job id, and
// cancelling detaches only the one who cancelled until nobody is left.
import { describe, expect, it } from 'vitest';
import { createMemeService } from '../../../src/bots/service.ts';
import type { MemeRequest } from '../../../src/bots/service-types.ts';
import { MemeError } from '../../../src/errors.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

const request = (userId: string, overrides: Partial<MemeRequest> = {}): MemeRequest => ({
  platform: 'telegram',
  userId,
  photo: PHOTO,
  templateId: 'nod-along',
  format: 'gif',
  ...overrides,
});

function setup(steps = 40) {
  const renderer = new FakeRenderer();
  renderer.steps = steps;
  const service = createMemeService({ config: testConfig(), renderer, templates: testTemplates() });
  return { renderer, service };
}

const tick = (ms = 15) => new Promise<void>((res) => setTimeout(res, ms));

describe('renders shared between identical requests', () => {
  it('renders once for two people asking the same thing, and delivers to both under their own ids', async () => {
    const { renderer, service } = setup();
    const alice = new RecordingReplier();
    const bob = new RecordingReplier();
    const aliceJob = await service.submit(request('telegram:alice'), alice);
    await tick();
    const bobJob = await service.submit(request('telegram:bob'), bob);
    expect(bobJob.jobId).not.toBe(aliceJob.jobId);
    const [aliceEnd, bobEnd] = await Promise.all([alice.ended, bob.ended]);
    expect(renderer.calls).toHaveLength(1);
    expect(aliceEnd).toMatchObject({ kind: 'deliver', job: { jobId: aliceJob.jobId } });
    expect(bobEnd).toMatchObject({ kind: 'deliver', job: { jobId: bobJob.jobId } });
    // Bob joined a running render: acknowledged, then told it is rendering, always under his own id.
    expect(bob.kinds()[0]).toBe('queued');
    expect(bob.stageUpdates().length).toBeGreaterThan(0);
    expect(bob.events.every((e) => e.kind === 'fail' || ('update' in e ? e.update.jobId : e.job.jobId) === bobJob.jobId)).toBe(true);
    expect(await service.metrics.registry.metrics()).toMatch(/memeloom_jobs_total\{outcome="joined"\} 1/);
  });

  it('keeps different seeds, templates and formats apart; the same person asking twice is answered twice from one render', async () => {
    const { renderer, service } = setup();
    const repliers = [new RecordingReplier(), new RecordingReplier(), new RecordingReplier(), new RecordingReplier(), new RecordingReplier()];
    await service.submit(request('telegram:a'), repliers[0]);
    await service.submit(request('telegram:b', { seed: 7 }), repliers[1]);
    await service.submit(request('telegram:c', { templateId: 'side-eye' }), repliers[2]);
    await service.submit(request('telegram:d', { format: 'mp4' }), repliers[3]);
    // Asking again is not refused (no operator limit is reached): it joins the render already under way.
    await service.submit(request('telegram:a'), repliers[4]);
    const ends = await Promise.all(repliers.map((r) => r.ended));
    expect(ends.map((e) => e.kind)).toEqual(['deliver', 'deliver', 'deliver', 'deliver', 'deliver']);
    expect(renderer.calls).toHaveLength(4);
  });

  it('a joiner who cancels is told CANCELLED; the render goes on for the others', async () => {
    const { renderer, service } = setup();
    const alice = new RecordingReplier();
    const bob = new RecordingReplier();
    await service.submit(request('telegram:alice'), alice);
    const bobJob = await service.submit(request('telegram:bob'), bob);
    await tick();
    expect(service.cancel(bobJob.jobId)).toBe(true);
    expect(await bob.ended).toMatchObject({ kind: 'fail', failure: { jobId: bobJob.jobId, code: 'CANCELLED' } });
    expect((await alice.ended).kind).toBe('deliver');
    expect(renderer.calls).toHaveLength(1);
    expect(renderer.calls[0].sawAbort).toBe(false);
    expect(bob.kinds().filter((k) => k === 'deliver')).toHaveLength(0);
  });

  it('the first requester cancelling leaves the render to the joiner; the last one out stops it', async () => {
    const { renderer, service } = setup(1000);
    const alice = new RecordingReplier();
    const bob = new RecordingReplier();
    const carol = new RecordingReplier();
    const aliceJob = await service.submit(request('telegram:alice'), alice);
    await service.submit(request('telegram:bob'), bob);
    await tick();
    expect(service.cancel(aliceJob.jobId)).toBe(true);
    expect(await alice.ended).toMatchObject({ kind: 'fail', failure: { code: 'CANCELLED' } });
    await tick();
    expect(renderer.calls[0].sawAbort).toBe(false);
    // Bob leaves through the per-user cancel (what /cancel does): nobody waits any more, so the render stops.
    expect(service.cancelForUser('telegram:bob')).toBe(true);
    expect(await bob.ended).toMatchObject({ kind: 'fail', failure: { code: 'CANCELLED' } });
    await tick();
    expect(renderer.calls[0].sawAbort).toBe(true);
    // A new identical request after that is a new render, not a join onto the cancelled one.
    await service.submit(request('telegram:carol'), carol);
    renderer.steps = 2;
    expect((await carol.ended).kind).toBe('deliver');
    expect(renderer.calls).toHaveLength(2);
  });

  it('a failing render fails everyone waiting for it', async () => {
    const { renderer, service } = setup();
    renderer.failNext = new MemeError('NO_FACE', 'no face');
    renderer.hold = tick(30);
    const alice = new RecordingReplier();
    const bob = new RecordingReplier();
    await service.submit(request('telegram:alice'), alice);
    await service.submit(request('telegram:bob'), bob);
    for (const r of [alice, bob]) expect(await r.ended).toMatchObject({ kind: 'fail', failure: { code: 'NO_FACE' } });
    expect(renderer.calls).toHaveLength(1);
  });
});
