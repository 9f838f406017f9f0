// The playground's HTTP API through startMemeloom (the same start path as `memeloom start`), with the real
// template catalog and a renderer the test controls. The browser test in test/e2e/web drives the real pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { type RunningMemeloom, startMemeloom } from '../../../src/main.ts';
import { silentLogger } from '../../../src/logger.ts';
import { loadTemplateCatalog } from '../../../src/templates/catalog.ts';
import { FakeRenderer, PHOTO, testConfig } from './service-fixtures.ts';

let bot: RunningMemeloom;
let renderer: FakeRenderer;

beforeAll(async () => {
  renderer = new FakeRenderer();
  const base = testConfig({ MEMELOOM_PORT: '0', MEMELOOM_MAX_DRIVER_BYTES: '20000' });
  const config = loadConfig({ MEMELOOM_PORT: '0', MEMELOOM_DATA_DIR: base.dataDir, MEMELOOM_GPU_DEVICES: '0', MEMELOOM_MAX_DRIVER_BYTES: '20000' });
  bot = await startMemeloom(config, { renderer, templates: await loadTemplateCatalog(), logger: silentLogger });
});

afterAll(async () => {
  await bot?.stop();
});

function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

interface ApiBody {
  jobId: string;
  cancelled?: boolean;
  error: { code: string; text: string };
}

/** The test's browser session: the cookie the server issued, sent back like a browser would. */
const jar: { cookie?: string } = {};

async function post(path: string, body?: FormData, session: { cookie?: string } = jar): Promise<{ status: number; json: ApiBody }> {
  const response = await fetch(`${bot.url}${path}`, { method: 'POST', body, headers: session.cookie ? { cookie: session.cookie } : {} });
  const issued = response.headers.get('set-cookie');
  if (issued) session.cookie = issued.split(';')[0];
  return { status: response.status, json: await response.json() };
}

/** Reads the SSE stream until the job ends; returns the event names and the last event's data. */
async function events(jobId: string): Promise<{ names: string[]; last: Record<string, unknown> }> {
  const response = await fetch(`${bot.url}/api/jobs/${jobId}/events`);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const text = await response.text(); // the server ends the stream after done/failed
  const blocks = text.split('\n\n').filter((b) => b.startsWith('event:'));
  const parsed = blocks.map((b) => ({ name: /^event: (\w+)/.exec(b)![1], data: JSON.parse(/\ndata: (.*)/.exec(b)![1]) }));
  return { names: parsed.map((p) => p.name), last: parsed.at(-1)!.data };
}

describe('web playground server', () => {
  it('serves the page, the template gallery with previews, health and metrics', async () => {
    const page = await (await fetch(`${bot.url}/`)).text();
    expect(page).toContain('Memeloom playground');
    const { templates } = await (await fetch(`${bot.url}/api/templates`)).json();
    expect(templates.length).toBeGreaterThanOrEqual(10);
    const preview = await fetch(`${bot.url}${templates[0].previewUrl}`);
    expect(preview.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await preview.arrayBuffer()).subarray(0, 6).toString()).toMatch(/^GIF8/);
    expect((await fetch(`${bot.url}/templates/nope/preview.gif`)).status).toBe(400);
    const health = await (await fetch(`${bot.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', engines: ['warp'] });
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/# TYPE memeloom_queue_depth gauge/);
  });

  it('takes an upload, streams progress and serves the result as GIF and then MP4', async () => {
    const photo = new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' });
    const { status, json } = await post('/api/jobs', form({ photo, template: 'nod-along', user: 'tester', top: 'HI' }));
    expect(status).toBe(202);
    const gif = await events(json.jobId);
    expect(gif.names[0]).toBe('queued');
    expect(gif.names).toContain('progress');
    expect(gif.names.at(-1)).toBe('done');
    const result = await fetch(`${bot.url}${gif.last.url}?download=1`);
    expect(result.headers.get('content-disposition')).toContain('memeloom.gif');
    expect(Buffer.from(await result.arrayBuffer()).toString()).toMatch(/^GIF89a:nod-along/);
    expect(renderer.calls.at(-1)!.spec.captions).toEqual({ top: 'HI', bottom: undefined });
    const mp4 = await post(`/api/jobs/${json.jobId}/variant?format=mp4`);
    expect((await events(mp4.json.jobId)).last).toMatchObject({ format: 'mp4', mime: 'video/mp4' });
  });

  it('passes the render notes (e.g. a caption character no font has) to the page with the result', async () => {
    const photo = new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' });
    renderer.notes = ['no bundled font has "𓀀" (U+13000); it is drawn as a box in Anton'];
    try {
      const { json } = await post('/api/jobs', form({ photo, template: 'nod-along', user: 'notes', top: 'HI 𓀀' }));
      expect((await events(json.jobId)).last).toMatchObject({ notes: renderer.notes });
    } finally {
      renderer.notes = [];
    }
    const page = await (await fetch(`${bot.url}/`)).text();
    expect(page).toMatch(/<p id="notes"[^>]*role="status"/);
    expect(page).toContain('data.notes');
  });

  it('answers bad input with the coded text, not a stack trace', async () => {
    const cases: [Record<string, string | Blob>, number, string][] = [
      [{ photo: new Blob(['just some text']), template: 'nod-along' }, 400, 'NOT_AN_IMAGE'],
      [{ template: 'nod-along' }, 400, 'NO_PHOTO'],
      [{ photo: new Blob([new Uint8Array(PHOTO)]), template: 'no-such-one' }, 400, 'UNKNOWN_TEMPLATE'],
      [{ photo: new Blob([new Uint8Array(PHOTO)]), driver: new Blob([new Uint8Array(30_000)]) }, 413, 'VIDEO_TOO_LARGE'],
    ];
    for (const [fields, status, code] of cases) {
      const answer = await post('/api/jobs', form({ user: 'bad', ...fields }));
      expect(answer, code).toMatchObject({ status, json: { error: { code, text: expect.any(String) } } });
      expect(answer.json.error.text).not.toMatch(/at .*\.ts/);
    }
    expect((await post('/api/jobs/00000000-0000-0000-0000-000000000000/reroll')).json.error.code).toBe('UNKNOWN_JOB');
  });

  it('checks a chosen photo or clip on its own, within its limit, and states the limits', async () => {
    const page = await (await fetch(`${bot.url}/api/templates`)).json();
    expect(page.limits).toMatchObject({ maxPhotoBytes: 20 * 1024 * 1024, maxDriverBytes: 20000, maxDriverSeconds: 10, maxCaptionChars: 80 });
    expect(page.limitsText).toBe(
      'Photos: JPEG, PNG, WebP, GIF, AVIF or TIFF, up to 20 MB and 50 megapixels. Clips: up to 20 KB; only the first 10 s are used. Captions: up to 80 characters.',
    );
    const check = async (kind: string, body: Uint8Array) => {
      const response = await fetch(`${bot.url}/api/check?kind=${kind}`, { method: 'POST', body: new Blob([body as Uint8Array<ArrayBuffer>]) });
      return { status: response.status, json: await response.json() };
    };
    expect(await check('photo', new Uint8Array(PHOTO))).toMatchObject({ status: 200, json: { ok: true } });
    expect(await check('photo', new TextEncoder().encode('%PDF-1.4 not a photo'))).toMatchObject({ status: 400, json: { error: { code: 'NOT_AN_IMAGE' } } });
    const bigClip = await check('clip', new Uint8Array(30_000));
    expect(bigClip).toMatchObject({ status: 413, json: { error: { code: 'VIDEO_TOO_LARGE' } } });
    expect(bigClip.json.error.text).toContain('The limit is 20 KB.');
  });

  it('lists the styles with what this bot can render, and passes the chosen one to the service', async () => {
    const { styles, hellomeme } = await (await fetch(`${bot.url}/api/styles`)).json();
    expect(hellomeme).toBe(false);
    expect(styles).toHaveLength(9);
    expect(styles[7]).toEqual({ id: 'ghibli', label: 'Ghibli anime', installed: false });
    // Warp only here: the style reaches the service, which says why it cannot be done.
    const photo = new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' });
    const styled = await post('/api/jobs', form({ photo, template: 'nod-along', user: 'styler', style: 'ghibli' }));
    expect(styled).toMatchObject({ status: 400, json: { error: { code: 'BAD_OPTION', text: expect.stringContaining('styles need the HelloMeme engine') } } });
  });

  it('cancels a running job from the page API', async () => {
    renderer.steps = 2000;
    try {
      const photo = new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' });
      const { json } = await post('/api/jobs', form({ photo, template: 'side-eye', user: 'canceller' }));
      const stream = events(json.jobId);
      await new Promise((res) => setTimeout(res, 50));
      expect((await post(`/api/jobs/${json.jobId}/cancel`)).json).toEqual({ cancelled: true });
      expect((await stream).last).toMatchObject({ code: 'CANCELLED', text: 'Cancelled.' });
    } finally {
      renderer.steps = 6;
    }
  });

  it('only the session that made a request may cancel it or keep its preview: another is refused, and nothing changes', async () => {
    renderer.steps = 2000;
    try {
      const photo = new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' });
      const owner: { cookie?: string } = {};
      const { json } = await post('/api/jobs', form({ photo, template: 'side-eye', user: 'owner' }), owner);
      expect(owner.cookie).toMatch(/^memeloom_session=/);
      const stream = events(json.jobId);
      await new Promise((res) => setTimeout(res, 50));
      // Another browser (its own cookie) and a client without any: a 403 that says why; the job runs on.
      const stranger: { cookie?: string } = {};
      await fetch(`${bot.url}/`).then((r) => {
        stranger.cookie = r.headers.get('set-cookie')!.split(';')[0];
        return r.text();
      });
      for (const session of [stranger, {}]) {
        for (const action of ['cancel', 'keep']) {
          const refused = await post(`/api/jobs/${json.jobId}/${action}`, undefined, { ...session });
          expect(refused.status).toBe(403);
          expect(refused.json.error).toEqual({ code: 'NOT_YOURS', text: 'Only the person who asked for this meme can keep or cancel it.' });
        }
      }
      expect(bot.service.stats().queue.running).toBe(1);
      expect((await post(`/api/jobs/${json.jobId}/cancel`, undefined, owner)).json).toEqual({ cancelled: true });
      expect((await stream).last).toMatchObject({ code: 'CANCELLED' });
    } finally {
      renderer.steps = 6;
    }
  });
});
