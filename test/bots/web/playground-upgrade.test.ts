// A preview that upgrades itself, in the playground, in headless Chromium (playwright-core + Debian's chromium): the
// page's own SSE stream shows the warp preview first with "HD version on the way…" and a "Keep this one" button, then
// swaps the picture for the HelloMeme result; "Keep this one" keeps the preview and says so. The web server runs on
// the real service with the warp engine and the tiny HelloMeme (the project's own random weights).
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { startWebServer, type WebServer } from '../../../src/bots/web/web-server.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { type RealCore, startRealCore } from '../../helpers/real-core.ts';
import { tinyHelloMemeRenderer } from '../../helpers/tiny-hellomeme.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let core: RealCore;
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  core = await startRealCore({ MEMELOOM_PORT: '0', MEMELOOM_ENGINE: 'auto', MEMELOOM_GPU_DEVICES: '1', MEMELOOM_CPU_CONCURRENCY: '1' }, await tinyHelloMemeRenderer());
  const logger = createLogger({ stream: new Writable({ write: (_c, _e, done) => done() }) });
  web = await startWebServer({ config: core.config, service: core.service, logger });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await core?.close();
});

/** A fresh page (its own user) with a photo checked and a template picked. */
async function pageWithMeme(photo: string, template: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.addInitScript((id) => localStorage.setItem('memeloomUser', id), `upgrade-${randomBytes(4).toString('hex')}`);
  await page.goto(web.url);
  await page.locator('.template').first().waitFor({ state: 'attached' });
  await page.setInputFiles('#photo', referenceImage(photo));
  await page.locator(`.template[data-id="${template}"]`).waitFor({ state: 'visible', timeout: 30_000 });
  await page.click(`.template[data-id="${template}"]`);
  return page;
}

/** The bytes the page's picture shows now, fetched by the page itself. */
async function shownBytes(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const response = await fetch((document.getElementById('result-img') as HTMLImageElement).src);
    const bytes = new Uint8Array(await response.arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  });
  return Buffer.from(base64, 'base64');
}

describe('playground: a preview that upgrades itself', () => {
  it('shows the warp preview first, marked, then swaps in the HelloMeme result', async () => {
    const page = await pageWithMeme('harris.jpg', 'nod-along');
    await page.click('#go');
    await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toMatch(/^HD version on the way/);
    expect(await page.isVisible('#keep')).toBe(true);
    expect(await page.isVisible('#result-img')).toBe(true);
    await page.waitForFunction(() => (document.getElementById('result-img') as HTMLImageElement).complete);
    const preview = await shownBytes(page);
    expect(core.results.find((r) => r.bytes.equals(preview))?.engine).toBe('warp');
    // The HD job's news reaches the page (its place in line or its progress)...
    await expect.poll(() => page.textContent('#status'), { timeout: 60_000 }).toMatch(/^HD version on the way… (number \d+ in line|\d+% done)/);
    // ...then the picture is swapped for the HelloMeme render.
    await expect.poll(() => page.textContent('#status'), { timeout: 120_000 }).toBe('Here is your meme!');
    expect(await page.isVisible('#keep')).toBe(false);
    const hd = await shownBytes(page);
    expect(core.results.find((r) => r.bytes.equals(hd))?.engine).toBe('hellomeme');
    expect(hd.equals(preview)).toBe(false);
    expect(await page.getAttribute('#result-img', 'src')).toMatch(/\?v=hd$/);
    await page.context().close();
  }, 240_000);

  it('"Keep this one" keeps the preview on screen, with a note', async () => {
    const page = await pageWithMeme('show1.jpg', 'smug');
    await page.click('#go');
    await page.locator('#keep:not([hidden])').waitFor({ timeout: 60_000 });
    const previewSrc = await page.getAttribute('#result-img', 'src');
    await page.click('#keep');
    await expect.poll(() => page.textContent('#notes'), { timeout: 30_000 }).toContain('Kept the preview.');
    expect(await page.getAttribute('#result-img', 'src')).toBe(previewSrc);
    const kept = await shownBytes(page);
    expect(core.results.find((r) => r.bytes.equals(kept))?.engine).toBe('warp');
    expect(await page.isEnabled('#reroll')).toBe(true);
    await page.context().close();
  }, 120_000);
});
