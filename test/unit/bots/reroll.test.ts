// The reroll rule (bots/reroll.ts), pinned once on the real service: only a job the service no longer knows is
// rendered anew; a known job is rerolled by the service, and any other refusal is the answer.
import { describe, expect, it } from 'vitest';
import { rerollOrRenderAnew } from '../../../src/bots/reroll.ts';
import { createMemeService } from '../../../src/bots/service.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

function setup() {
  const renderer = new FakeRenderer();
  return { renderer, service: createMemeService({ config: testConfig(), renderer, templates: testTemplates() }) };
}

describe('reroll rule', () => {
  it('renders anew only when the service no longer knows the job (UNKNOWN_JOB)', async () => {
    const { service } = setup();
    let anew = 0;
    const outcome = await rerollOrRenderAnew(service, 'forgotten-job', new RecordingReplier(), async () => ++anew);
    expect(outcome).toBe(1);
    await service.shutdown(0);
  });

  it('a known job is rerolled by the service with a new seed, not rendered anew', async () => {
    const { service, renderer } = setup();
    const first = new RecordingReplier();
    const { jobId } = await service.submit({ platform: 'web', userId: 'web:a', photo: PHOTO, templateId: 'nod-along', format: 'gif' }, first);
    await first.ended;
    const again = new RecordingReplier();
    const outcome = await rerollOrRenderAnew(service, jobId, again, async () => 'anew');
    expect(outcome).toMatchObject({ jobId: expect.any(String) });
    expect((await again.ended).kind).toBe('deliver');
    expect(renderer.calls).toHaveLength(2);
    expect(renderer.calls[1].spec.seed).not.toBe(renderer.calls[0].spec.seed);
    await service.shutdown(0);
  });

  it('any other refusal is the answer: nothing is rendered anew', async () => {
    const { service } = setup();
    const first = new RecordingReplier();
    const { jobId } = await service.submit({ platform: 'web', userId: 'web:a', photo: PHOTO, templateId: 'nod-along', format: 'gif' }, first);
    await first.ended;
    await service.shutdown(0);
    let anew = 0;
    await expect(rerollOrRenderAnew(service, jobId, new RecordingReplier(), async () => ++anew)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(anew).toBe(0);
  });
});
