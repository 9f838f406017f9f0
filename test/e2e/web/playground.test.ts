// The playground end to end: `memeloom start` as a child process (the npm start path, real pipeline, warp engine)
// driven by headless Chromium (playwright-core + Debian's /usr/bin/chromium, installed by .ci/run).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const PHOTO = referenceImage('chillout.jpg'); // 84 KB, under the cap below
const BIG_PHOTO = referenceImage('cg1.jpg'); // 172 KB, over it
const BIG_CLIP = driveVideo('xzy3.mp4'); // 367 KB, over the clip cap below
const CLIP = driveVideo('tbh.mp4'); // 230 KB, under it
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: ChildProcess;
let baseUrl: string;
let browser: Browser;
const work = mkdtempSync(path.join(tmpdir(), 'memeloom-e2e-'));

function startServer(): Promise<string> {
  server = spawn(process.execPath, ['bin/memeloom.js', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      MEMELOOM_PORT: '0',
      MEMELOOM_DATA_DIR: path.join(work, 'data'),
      MEMELOOM_ENGINE: 'warp',
      MEMELOOM_MAX_PHOTO_BYTES: '150000',
      MEMELOOM_MAX_DRIVER_BYTES: '300000',
      TELEGRAM_BOT_TOKEN: '',
      DISCORD_TOKEN: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  return new Promise((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /"msg":"playground listening".*?"url":"([^"]+)"/.exec(log);
      if (match) resolve(match[1]);
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    server.on('exit', (code) => reject(new Error(`memeloom start exited with ${code}:\n${log}`)));
  });
}

async function openPage(context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await browser.newContext({ acceptDownloads: true }))).newPage();
  await page.goto(baseUrl);
  await page.locator('.template').first().waitFor();
  // Every status line the page shows, so the test can check that progress was seen.
  await page.evaluate(() => {
    const w = window as unknown as { statuses: string[] };
    w.statuses = [];
    const status = document.getElementById('status')!;
    new MutationObserver(() => w.statuses.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
  });
  return page;
}

async function download(page: Page, selector: string): Promise<Buffer> {
  await page.locator(`${selector}[aria-disabled="false"]`).waitFor({ timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync((await file.path())!);
}

beforeAll(async () => {
  baseUrl = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((res) => server.once('exit', res));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('web playground in a browser', () => {
  it('animates an uploaded photo with a picked template and offers GIF and MP4 downloads', async () => {
    const page = await openPage();
    await page.setInputFiles('#photo', PHOTO);
    await page.click('.template[data-id="nod-along"]');
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.some((s) => /queue|Animating/.test(s))).toBe(true);
    const gif = await download(page, '#download-gif');
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    // Animated: more than one graphic control extension (one per frame).
    const frames = gif.toString('latin1').split('\x21\xf9\x04').length - 1;
    expect(frames).toBeGreaterThan(1);
    const mp4 = await download(page, '#download-mp4');
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(await page.textContent('#error')).toBe('');
  }, 240_000);

  it('takes a dragged-in photo and an uploaded driving clip', async () => {
    const page = await openPage();
    const photoBase64 = readFileSync(referenceImage('zzj.jpg')).toString('base64');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dragged.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, photoBase64);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await page.locator('#photo-preview').waitFor({ state: 'visible' });
    await page.click('summary');
    await page.setInputFiles('#driver', CLIP);
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const gif = await download(page, '#download-gif');
    expect(gif.toString('latin1').split('\x21\xf9\x04').length - 1).toBeGreaterThan(1);
    await download(page, '#download-mp4'); // let the MP4 follow-up finish before the next test
  }, 240_000);

  it('cancels a second job', async () => {
    const other = await openPage();
    const page = await openPage();
    // Another user's job takes the single CPU slot, so this page's job waits and can be cancelled.
    for (const p of [other, page]) {
      await p.setInputFiles('#photo', PHOTO);
      await p.click('.template[data-id="side-eye"]');
      await p.fill('#top', p === page ? 'SECOND' : 'FIRST');
    }
    await other.click('#go');
    await page.click('#go');
    await page.locator('#cancel:not([disabled])').waitFor();
    await page.click('#cancel');
    await expect.poll(() => page.textContent('#error'), { timeout: 60_000 }).toBe('Cancelled. (CANCELLED)');
    await other.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
  }, 240_000);

  it('shows the coded error text for bad input', async () => {
    const page = await openPage();
    const notImage = path.join(work, 'notes.jpg');
    writeFileSync(notImage, 'this is a text file with a photo name');
    const noFace = path.join(work, 'gradient.png');
    const gradient = Buffer.alloc(256 * 256 * 3, 0).map((_, i) => (i * 7) % 256);
    await sharp(gradient, { raw: { width: 256, height: 256, channels: 3 } }).png().toFile(noFace);
    const expectError = async (code: string) => {
      await page.click('#go');
      await expect.poll(() => page.textContent('#error'), { timeout: 60_000 }).toMatch(new RegExp(`\\(${code}\\)$`));
      expect(await page.textContent('#error')).not.toMatch(/at \S+\.ts|Error:/);
    };
    await page.click('.template[data-id="nod-along"]');
    await page.setInputFiles('#photo', notImage);
    await expectError('NOT_AN_IMAGE');
    await page.setInputFiles('#photo', BIG_PHOTO);
    await expectError('IMAGE_TOO_LARGE');
    await page.setInputFiles('#photo', noFace);
    await expectError('NO_FACE');
    await page.setInputFiles('#photo', PHOTO);
    await page.evaluate(() => {
      // A template id the gallery does not offer, as a hand-made request would send.
      (window as unknown as { eval(code: string): void }).eval("template = 'no-such-template'");
    });
    await expectError('UNKNOWN_TEMPLATE');
    await page.setInputFiles('#driver', BIG_CLIP);
    await expectError('VIDEO_TOO_LARGE');
  }, 240_000);
});
