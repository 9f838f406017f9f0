import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemplateCatalog } from '../../../src/templates/catalog.ts';
import { createMemeService } from '../../../src/bots/service.ts';
import type { MemeRequest } from '../../../src/bots/service-types.ts';
import { InputError, type MemeError } from '../../../src/errors.ts';
import { CLIP, FakeRenderer, OTHER_PHOTO, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

function request(overrides: Partial<MemeRequest> = {}): MemeRequest {
  return { platform: 'web', userId: 'web:alice', photo: PHOTO, templateId: 'nod-along', format: 'gif', ...overrides };
}

function setup(env: Record<string, string> = {}) {
  const config = testConfig(env);
  const renderer = new FakeRenderer();
  const service = createMemeService({ config, renderer, templates: testTemplates() });
  return { config, renderer, service };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as MemeError).code;
  }
}

describe('meme service', () => {
  it('acknowledges, reports progress and delivers, in that order', async () => {
    const { service, renderer } = setup();
    const replier = new RecordingReplier();
    const ref = await service.submit(request(), replier);
    const end = await replier.ended;
    expect(end).toMatchObject({ kind: 'deliver', job: { jobId: ref.jobId } });
    expect(replier.kinds()[0]).toBe('queued');
    expect(replier.kinds().at(-1)).toBe('deliver');
    expect(replier.stageUpdates()[0]).toMatchObject({ jobId: ref.jobId, stage: 'decode' });
    expect(renderer.calls[0].spec).toMatchObject({ templateId: 'nod-along', engine: 'warp', format: 'gif', seed: 0 });
  });

  it('answers a repeat from the cache without rendering again', async () => {
    const { service, renderer } = setup();
    const first = new RecordingReplier();
    await service.submit(request(), first);
    await first.ended;
    const again = new RecordingReplier();
    const ref = await service.submit(request(), again);
    const end = await again.ended;
    expect(end).toMatchObject({ kind: 'deliver', job: { jobId: ref.jobId } });
    expect(again.kinds()).toEqual(['deliver']);
    expect(renderer.calls).toHaveLength(1);
    // A different photo, template or format is a different result.
    for (const change of [{ photo: OTHER_PHOTO }, { templateId: 'side-eye' }, { format: 'mp4' as const }]) {
      const other = new RecordingReplier();
      await service.submit(request(change), other);
      await other.ended;
    }
    expect(renderer.calls).toHaveLength(4);
    expect(await service.metrics.registry.metrics()).toMatch(/memeloom_cache_hits_total 1/);
  });

  it('refuses bad input with coded errors before anything renders', async () => {
    const { service, renderer } = setup({ MEMELOOM_MAX_PHOTO_BYTES: '100000', MEMELOOM_MAX_DRIVER_BYTES: '50000' });
    const replier = new RecordingReplier();
    const cases: [Partial<MemeRequest>, string][] = [
      [{ photo: Buffer.from('definitely not an image, just text') }, 'NOT_AN_IMAGE'],
      [{ photo: Buffer.alloc(0) }, 'NO_PHOTO'],
      [{ photo: Buffer.concat([PHOTO, Buffer.alloc(100_000)]) }, 'IMAGE_TOO_LARGE'],
      [{ templateId: 'no-such-template' }, 'UNKNOWN_TEMPLATE'],
      [{ templateId: undefined, driver: { bytes: Buffer.alloc(60_000) } }, 'VIDEO_TOO_LARGE'],
      [{ templateId: undefined, driver: { bytes: Buffer.from('plain text, not a clip') } }, 'NOT_A_VIDEO'],
      [{ templateId: undefined }, 'BAD_OPTION'],
      [{ captions: { top: 'x'.repeat(81) } }, 'CAPTION_TOO_LONG'],
      [{ format: 'bmp' as never }, 'UNSUPPORTED_FORMAT'],
      [{ engine: 'hellomeme' }, 'ENGINE_UNAVAILABLE'],
    ];
    for (const [change, code] of cases) expect(await refusal(service.submit(request(change), replier)), code).toBe(code);
    expect(renderer.calls).toHaveLength(0);
    expect(replier.events).toHaveLength(0);
    expect(await service.metrics.registry.metrics()).toMatch(/memeloom_job_failures_total\{code="NOT_AN_IMAGE"\} 1/);
  });

  it("renders a template's default caption unless captions were typed or turned off, each a separate result", async () => {
    const config = testConfig();
    const renderer = new FakeRenderer();
    const base = testTemplates().get('nod-along');
    const templates = createTemplateCatalog([{ ...base, defaultCaption: { bottom: 'NOD' } }]);
    const service = createMemeService({ config, renderer, templates });
    for (const change of [{}, { noCaption: true }, { captions: { top: 'typed' } }]) {
      const replier = new RecordingReplier();
      await service.submit(request(change), replier);
      expect((await replier.ended).kind).toBe('deliver');
    }
    expect(renderer.calls.map((c) => c.spec.captions)).toEqual([{ bottom: 'NOD' }, {}, { top: 'typed' }]);
  });

  it('passes a pipeline failure to the replier as coded user text', async () => {
    const { service, renderer } = setup();
    renderer.failNext = new InputError('NO_FACE', 'no face detected');
    const replier = new RecordingReplier();
    const ref = await service.submit(request(), replier);
    const end = await replier.ended;
    expect(end).toEqual({ kind: 'fail', failure: { jobId: ref.jobId, code: 'NO_FACE', text: expect.stringMatching(/find a face/) } });
  });

  it('refuses a second job from a busy user, and lets other users in', async () => {
    const { service } = setup();
    const first = new RecordingReplier();
    await service.submit(request(), first);
    expect(await refusal(service.submit(request({ templateId: 'side-eye' }), new RecordingReplier()))).toBe('BUSY');
    const bob = new RecordingReplier();
    await service.submit(request({ userId: 'web:bob' }), bob);
    expect((await bob.ended).kind).toBe('deliver');
    await first.ended;
  });

  it('cancels a running job: the renderer sees the signal and the user hears CANCELLED', async () => {
    const { service, renderer } = setup();
    renderer.steps = 1000;
    const replier = new RecordingReplier();
    const ref = await service.submit(request(), replier);
    await new Promise((res) => setTimeout(res, 20));
    expect(service.cancel(ref.jobId)).toBe(true);
    expect(await replier.ended).toMatchObject({ kind: 'fail', failure: { code: 'CANCELLED', text: 'Cancelled.' } });
    await new Promise((res) => setTimeout(res, 20));
    expect(renderer.calls[0].sawAbort).toBe(true);
    expect(renderer.calls[0].steps).toBeLessThan(1000);
    expect(service.cancel(ref.jobId)).toBe(false);
  });

  it('rerolls with a new seed, re-renders as MP4 with the same seed, and knows no unknown job', async () => {
    const { service, renderer } = setup();
    const first = new RecordingReplier();
    const ref = await service.submit(request(), first);
    await first.ended;
    const rerolled = new RecordingReplier();
    await service.reroll(ref.jobId, rerolled);
    await rerolled.ended;
    const asMp4 = new RecordingReplier();
    await service.rerender(ref.jobId, { format: 'mp4' }, asMp4);
    expect(await asMp4.ended).toMatchObject({ kind: 'deliver', result: { format: 'mp4' } });
    const seeds = renderer.calls.map((c) => c.spec.seed);
    expect(seeds[1]).not.toBe(seeds[0]);
    expect(seeds[2]).toBe(seeds[0]);
    expect(await refusal(service.reroll('no-such-job', new RecordingReplier()))).toBe('UNKNOWN_JOB');
  });

  it('puts an uploaded clip on disk only while its job runs', async () => {
    const { service, renderer, config } = setup();
    const replier = new RecordingReplier();
    await service.submit(request({ templateId: undefined, driver: { bytes: CLIP, mime: 'video/mp4' } }), replier);
    expect((await replier.ended).kind).toBe('deliver');
    const call = renderer.calls[0];
    expect(call.driverBytes?.equals(CLIP)).toBe(true);
    expect(existsSync(call.spec.driverPath!)).toBe(false);
    expect(readdirSync(path.join(config.dataDir, 'work'))).toEqual([]);
    expect(existsSync(path.join(config.dataDir, 'retained'))).toBe(false);
  });

  it('keeps uploads when retention is configured', async () => {
    const { service, config } = setup({ MEMELOOM_UPLOAD_RETENTION_HOURS: '1' });
    const replier = new RecordingReplier();
    const ref = await service.submit(request({ templateId: undefined, driver: { bytes: CLIP } }), replier);
    await replier.ended;
    await new Promise((res) => setTimeout(res, 20));
    expect(readdirSync(path.join(config.dataDir, 'retained')).sort()).toEqual([`${ref.jobId}-clip`, `${ref.jobId}-photo`]);
  });

  it('survives a replier that throws', async () => {
    const { service } = setup();
    const replier = new RecordingReplier();
    replier.queued = () => {
      throw new Error('chat API down');
    };
    await service.submit(request(), replier);
    expect((await replier.ended).kind).toBe('deliver');
  });

  it('shuts down: queued users are told SHUTTING_DOWN, the running job is delivered', async () => {
    const { service, renderer } = setup();
    renderer.steps = 20;
    const running = new RecordingReplier();
    await service.submit(request(), running);
    const waiting = [1, 2].map(() => new RecordingReplier());
    await Promise.all(waiting.map((r, i) => service.submit(request({ userId: `web:u${i}`, seed: i + 1 }), r)));
    await service.shutdown(5000);
    expect((await running.ended).kind).toBe('deliver');
    for (const r of waiting) expect(await r.ended).toMatchObject({ kind: 'fail', failure: { code: 'SHUTTING_DOWN' } });
    expect(await refusal(service.submit(request({ userId: 'web:late' }), new RecordingReplier()))).toBe('SHUTTING_DOWN');
  });

  it('serves Prometheus text with queue depth, running jobs, durations by engine and stage', async () => {
    const { service } = setup();
    const replier = new RecordingReplier();
    await service.submit(request(), replier);
    await replier.ended;
    const text = await service.metrics.registry.metrics();
    expect(text).toMatch(/memeloom_queue_depth\{lane="cpu"\} 0/);
    expect(text).toMatch(/memeloom_jobs_running\{lane="cpu"\}/);
    expect(text).toMatch(/memeloom_job_duration_seconds_count\{engine="warp",stage="total"\} 1/);
    expect(text).toMatch(/memeloom_job_duration_seconds_count\{engine="warp",stage="engine"\} 1/);
    expect(text).toMatch(/memeloom_jobs_total\{outcome="delivered"\} 1/);
  });
});
