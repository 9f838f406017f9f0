// Styles through the service: a style (id or HelloMeme name) reaches the renderer as its id on the hellomeme
// engine, is part of what makes a result cached or shared, survives a reroll, and is refused with the reason when
// the job would run on warp (no HelloMeme, or a preview-only chat) or the style is not installed.
import { describe, expect, it } from 'vitest';
import { errorText } from '../../../src/bots/messages.ts';
import { createMemeService } from '../../../src/bots/service.ts';
import type { MemeRequest } from '../../../src/bots/service-types.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testConfig, testTemplates } from './service-fixtures.ts';

function request(overrides: Partial<MemeRequest> = {}): MemeRequest {
  return { platform: 'web', userId: 'web:alice', photo: PHOTO, templateId: 'nod-along', format: 'gif', priority: 'full', ...overrides };
}

function setup(withHelloMeme: boolean) {
  const renderer = new FakeRenderer();
  if (withHelloMeme) {
    renderer.engines = ['warp', 'hellomeme'];
    renderer.styles = ['ghibli', 'ink'];
  }
  const service = createMemeService({ config: testConfig({ MEMELOOM_GPU_DEVICES: '1' }), renderer, templates: testTemplates() });
  return { renderer, service };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; text: string }> {
  try {
    await promise;
  } catch (error) {
    return errorText(error);
  }
  throw new Error('accepted');
}

async function render(service: ReturnType<typeof setup>['service'], overrides: Partial<MemeRequest>): Promise<RecordingReplier> {
  const replier = new RecordingReplier();
  await service.submit(request(overrides), replier);
  await replier.ended;
  return replier;
}

describe('styles in the service', () => {
  it('sends the style id to the hellomeme engine; style is part of the cache key; a reroll keeps it', async () => {
    const { service, renderer } = setup(true);
    await render(service, { style: '[preset]ghibli_anime_v1' });
    expect(renderer.calls[0].spec).toMatchObject({ engine: 'hellomeme', style: 'ghibli' });
    // The same request without the style, or with another, is another meme; the same style again is cached.
    await render(service, {});
    await render(service, { style: 'ink' });
    const cached = await render(service, { style: 'Ghibli' });
    expect(cached.kinds()).toEqual(['deliver']);
    expect(renderer.calls.map((c) => c.spec.style)).toEqual(['ghibli', undefined, 'ink']);
    const first = renderer.calls.length;
    const rerolled = new RecordingReplier();
    const last = cached.events.at(-1) as { job: { jobId: string } };
    await service.reroll(last.job.jobId, rerolled);
    await rerolled.ended;
    expect(renderer.calls[first].spec).toMatchObject({ style: 'ghibli', engine: 'hellomeme' });
    expect(renderer.calls[first].spec.seed).not.toBe(0);
    expect(service.stats().styles).toEqual(['ghibli', 'ink']);
  });

  it('refuses a style that cannot be rendered here, saying why', async () => {
    const warpOnly = setup(false).service;
    const noHelloMeme = await refusal(warpOnly.submit(request({ style: 'ghibli' }), new RecordingReplier()));
    expect(noHelloMeme).toEqual({ code: 'BAD_OPTION', text: expect.stringContaining('styles need the HelloMeme engine') });
    const { service, renderer } = setup(true);
    const preview = await refusal(service.submit(request({ style: 'ghibli', priority: 'preview' }), new RecordingReplier()));
    expect(preview.text).toContain('this chat uses the fast preview engine');
    const warp = await refusal(service.submit(request({ style: 'ghibli', engine: 'warp' }), new RecordingReplier()));
    expect(warp.code).toBe('BAD_OPTION');
    const missing = await refusal(service.submit(request({ style: 'drawing' }), new RecordingReplier()));
    expect(missing.text).toContain("the 'drawing' style is not installed on this bot (installed: ghibli, ink)");
    const unknown = await refusal(service.submit(request({ style: 'vaporwave' }), new RecordingReplier()));
    expect(unknown.text).toContain('there is no style');
    expect(renderer.calls).toHaveLength(0);
  });
});
