// The playground end to end: `memeloom start` as a child process (the npm start path, real pipeline, warp engine)
// driven by headless Chromium (playwright-core + Debian's /usr/bin/chromium, installed by .ci/run): memes in a row
// without BUSY, every bad file refused before any template is offered, the keyboard alone, labels and the rest of
// an axe-core audit, the limits on the page. PLAYGROUND_SCREENSHOTS=<dir> keeps screenshots of each state.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { corruptJpeg, hugePng, longFaceClip, noFaceJpeg, pdfFile } from '../../helpers/bad-files.ts';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';
import { startPlayground } from './playground-server.ts';

const PHOTO = referenceImage('chillout.jpg');
const CLIP = driveVideo('tbh.mp4'); // 230 KB, under the clip cap below
const BIG_CLIP = driveVideo('nice.mp4'); // 460 KB, over it
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** The server's limits for this test: small enough to trip with fixtures, and shown on the page. */
const LIMITS = { MEMELOOM_MAX_PHOTO_BYTES: '2500000', MEMELOOM_MAX_DRIVER_BYTES: '400000', MEMELOOM_MAX_DRIVER_SECONDS: '3', MEMELOOM_MAX_CAPTION_CHARS: '40' };
const SCREENSHOTS = process.env.PLAYGROUND_SCREENSHOTS;

let baseUrl: string;
let browser: Browser;
let stopPlayground: (() => Promise<void>) | undefined;
const work = mkdtempSync(path.join(tmpdir(), 'memeloom-e2e-'));

const contexts: BrowserContext[] = [];

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 700 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.locator('.template').first().waitFor({ state: 'attached' });
  // Every status line and error the page shows, so the test can check what was (never) said.
  await page.evaluate(() => {
    const w = window as unknown as { statuses: string[]; errors: string[] };
    w.statuses = [];
    w.errors = [];
    const watch = (id: string, into: string[]) =>
      new MutationObserver(() => into.push(document.getElementById(id)!.textContent ?? '')).observe(document.getElementById(id)!, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    watch('status', w.statuses);
    watch('error', w.errors);
  });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Chooses a photo through the file input and waits until the server's check answered. */
async function choosePhoto(page: Page, file: string): Promise<void> {
  await page.setInputFiles('#photo', file);
  await expect.poll(() => page.textContent('#photo-status'), { timeout: 30_000 }).not.toBe('Checking your photo…');
}

async function download(page: Page, selector: string): Promise<Buffer> {
  await page.locator(`${selector}:not([disabled])`).waitFor({ timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click(selector)]);
  return readFileSync((await file.path())!);
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

const jobOf = (url: string | null) => /\/api\/jobs\/([0-9a-f-]{36})\//.exec(url ?? '')?.[1];

beforeAll(async () => {
  ({ baseUrl, browser, stop: stopPlayground } = await startPlayground(work, LIMITS));
}, 180_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await stopPlayground?.();
});

describe('web playground in a browser', () => {
  it('animates an uploaded photo with a picked template, scrolls to it, offers GIF and (on request) MP4', async () => {
    const page = await openPage();
    await shot(page, '01-start');
    expect(await page.isVisible('#picker')).toBe(false);
    await choosePhoto(page, PHOTO);
    expect(await page.isVisible('#picker')).toBe(true);
    await page.click('.template[data-id="nod-along"]');
    await shot(page, '02-photo-and-template');
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const statuses = await page.evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    expect(statuses.some((s) => /queue|Animating/.test(s))).toBe(true);
    // The result is scrolled into view (the page is taller than the window).
    await expect
      .poll(() => page.evaluate(() => {
        const box = document.getElementById('result-img')!.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
      }))
      .toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight)).toBe(true);
    await shot(page, '03-result');
    const gif = await download(page, '#download-gif');
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(gif.toString('latin1').split('\x21\xf9\x04').length - 1).toBeGreaterThan(1);
    const mp4 = await download(page, '#download-mp4');
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(await page.textContent('#error')).toBe('');
  }, 300_000);

  it('makes two memes in a row without BUSY; status, links and Cancel follow the meme on screen', async () => {
    const page = await openPage();
    await choosePhoto(page, PHOTO);
    await page.click('.template[data-id="side-eye"]');
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const firstJob = jobOf(await page.getAttribute('#download-gif', 'data-href'));
    expect(firstJob).toBeDefined();
    // Ask for the first meme's MP4, then start the second while that MP4 may still be rendering.
    await page.click('#download-mp4');
    await page.click('.template[data-id="pout"]');
    await page.click('#go');
    // The screen belongs to the second meme at once: no result, no links, Cancel on, no "done" text.
    await expect.poll(() => page.isEnabled('#cancel')).toBe(true);
    expect(await page.isDisabled('#download-gif')).toBe(true);
    expect(await page.isDisabled('#download-mp4')).toBe(true);
    expect(await page.isVisible('#result-img')).toBe(false);
    await shot(page, '04-second-meme-running');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const secondJob = jobOf(await page.getAttribute('#download-gif', 'data-href'));
    expect(secondJob).toBeDefined();
    expect(secondJob).not.toBe(firstJob);
    expect(jobOf(await page.getAttribute('#result-img', 'src'))).toBe(secondJob);
    expect(await page.textContent('#status')).toBe('Here is your meme!');
    const errors = await page.evaluate(() => (window as unknown as { errors: string[] }).errors);
    expect(errors.filter((e) => e !== '')).toEqual([]);
    // And a third right after the second, by "Another take": no BUSY either, a new job on screen.
    await page.click('#reroll');
    await expect.poll(() => page.isDisabled('#download-gif')).toBe(true);
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    expect(jobOf(await page.getAttribute('#download-gif', 'data-href'))).not.toBe(secondJob);
    expect(await page.textContent('#error')).toBe('');
  }, 300_000);

  it('works with the keyboard alone, with a visible focus on every stop', async () => {
    const page = await openPage();
    await page.bringToFront();
    // Playwright takes over file dialogs only while someone listens for them: listen for the whole test, so
    // no key press races the switch.
    page.on('filechooser', () => undefined);
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        // The file input is visually hidden: its label (the drop zone) shows the focus.
        const shown = el.id === 'photo' ? document.getElementById('drop')! : el;
        const style = getComputedStyle(shown);
        return { id: el.id, className: el.className, tag: el.tagName, outline: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2 };
      });
    const tabUntil = async (match: (f: Awaited<ReturnType<typeof focused>>) => boolean, most = 40) => {
      for (let i = 0; i < most; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        expect(now.outline, `focus ring on ${now.tag}#${now.id}.${now.className}`).toBe(true);
        if (match(now)) return now;
      }
      throw new Error('never reached');
    };
    await tabUntil((f) => f.id === 'photo');
    await shot(page, '05-keyboard-photo-focus');
    const [spaceOpens] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
    await spaceOpens.setFiles(referenceImage('zzj.jpg'));
    await expect.poll(() => page.isVisible('#picker'), { timeout: 30_000 }).toBe(true);
    // Focus stays on the photo input: Enter opens the dialog again, for another photo.
    expect((await focused()).id).toBe('photo');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles(PHOTO);
    await expect.poll(() => page.textContent('#photo-status'), { timeout: 30_000 }).toBe('Your photo is ready: pick a template below.');
    await tabUntil((f) => f.className === 'template');
    await page.keyboard.press('Space');
    expect(await page.locator('.template[aria-pressed="true"]').count()).toBe(1);
    await shot(page, '06-keyboard-template-focus');
    await tabUntil((f) => f.id === 'top');
    await page.keyboard.type('KEYBOARD ONLY');
    await tabUntil((f) => f.id === 'go');
    await page.keyboard.press('Enter');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    await tabUntil((f) => f.id === 'download-gif');
    const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(readFileSync((await file.path())!).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    await shot(page, '07-keyboard-result');
  }, 300_000);

  it('passes an axe-core audit (labels included) before and after a photo, and shows the limits it enforces', async () => {
    const page = await openPage();
    expect(await axeViolations(page)).toEqual([]);
    for (const id of ['photo', 'driver', 'top', 'bottom', 'no-caption']) {
      const name = await page.evaluate((which) => (document.getElementById(which) as HTMLInputElement).labels?.[0]?.textContent?.trim(), id);
      expect(name, id).toBeTruthy();
    }
    expect(await page.textContent('#limits')).toBe(
      'Photos: JPEG, PNG, WebP, GIF, AVIF or TIFF, up to 2.4 MB and 50 megapixels. Clips: up to 391 KB; only the first 3 s are used. Captions: up to 40 characters.',
    );
    expect(await page.getAttribute('#top', 'maxlength')).toBe('40');
    await choosePhoto(page, PHOTO);
    await page.click('summary');
    expect(await axeViolations(page)).toEqual([]);
  }, 120_000);

  it('says "choose a photo first" for an empty submit', async () => {
    const page = await openPage();
    await page.click('#go');
    await expect.poll(() => page.textContent('#error')).toBe('Choose a photo first: I need a photo of a face to animate. (NO_PHOTO)');
  }, 60_000);

  it('refuses every bad photo with its reason and the limit, and offers no template', async () => {
    const page = await openPage();
    const oversize = path.join(work, 'noise.png');
    const noise = randomBytes(1200 * 1200 * 3);
    await sharp(noise, { raw: { width: 1200, height: 1200, channels: 3 } }).png().toFile(oversize);
    const files: Array<[string, Buffer | string, RegExp]> = [
      ['corrupt', (await corruptJpeg()).bytes, /^I could not read that photo: the file looks damaged or cut off\..* \(IMAGE_UNREADABLE\)$/],
      ['huge', (await hugePng()).bytes, /^That photo is too big \(12000×12000 pixels\)\. The limit is 50 megapixels\. .*\(IMAGE_TOO_LARGE\)$/],
      ['oversize', oversize, /^That photo is too big \(4\.\d MB\)\. The limit is 2\.4 MB\. .*\(IMAGE_TOO_LARGE\)$/],
      ['pdf', pdfFile().bytes, /^That file is not a photo I can read\..*\(NOT_AN_IMAGE\)$/],
      ['no-face', (await noFaceJpeg()).bytes, /^I could not find a face in that photo\..*\(NO_FACE\)$/],
    ];
    for (const [name, bytes, expected] of files) {
      // A good photo first, so the picker is showing when the bad one comes.
      await choosePhoto(page, PHOTO);
      expect(await page.isVisible('#picker')).toBe(true);
      const file = typeof bytes === 'string' ? bytes : path.join(work, `${name}.bin`);
      if (typeof bytes !== 'string') writeFileSync(file, bytes);
      await choosePhoto(page, file);
      expect(await page.textContent('#photo-error'), name).toMatch(expected);
      expect(await page.isVisible('#picker'), name).toBe(false);
      expect(await page.isVisible('.template'), name).toBe(false);
      if (name === 'huge') await shot(page, '08-refused-huge-png');
    }
    // Animate now has no checked photo to send.
    await page.click('#go');
    await expect.poll(() => page.textContent('#error')).toMatch(/\(NO_PHOTO\)$/);
  }, 180_000);

  it('takes a dragged-in photo and a clip; a clip over the length limit is trimmed and the page says so', async () => {
    const page = await openPage();
    const photoBase64 = readFileSync(referenceImage('zzj.jpg')).toString('base64');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dragged.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, photoBase64);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await expect.poll(() => page.isVisible('#picker'), { timeout: 30_000 }).toBe(true);
    await page.click('summary');
    await page.setInputFiles('#driver', BIG_CLIP);
    await expect.poll(() => page.textContent('#clip-error'), { timeout: 30_000 }).toMatch(/^That clip is too big \(459 KB\)\. The limit is 391 KB\..*\(VIDEO_TOO_LARGE\)$/);
    const { file: long } = await longFaceClip(work, 7);
    await page.setInputFiles('#driver', long);
    await expect.poll(() => page.textContent('#clip-status'), { timeout: 30_000 }).toBe('Your clip is 7 s long; I will use its first 3 s, the longest a clip can be.');
    await shot(page, '09-clip-trimmed');
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 120_000 });
    const gif = await download(page, '#download-gif');
    const { delay = [] } = await sharp(gif, { animated: true }).metadata();
    expect(delay.reduce((sum, ms) => sum + ms, 0) / 1000).toBeCloseTo(3, 0);
    // A clip under the limit is used whole, with no note.
    await page.setInputFiles('#driver', CLIP);
    await expect.poll(() => page.textContent('#clip-status'), { timeout: 30_000 }).toBe('Your clip is ready: its motion will drive the photo.');
  }, 300_000);

  it('cancels a second job', async () => {
    const other = await openPage();
    const page = await openPage();
    // Another user's job takes the single CPU slot, so this page's job waits and can be cancelled.
    for (const p of [other, page]) {
      await choosePhoto(p, PHOTO);
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

  it('shows the coded error text for an unknown template', async () => {
    const page = await openPage();
    await choosePhoto(page, PHOTO);
    await page.click('.template[data-id="nod-along"]');
    await page.evaluate(() => {
      // A template id the gallery does not offer, as a hand-made request would send.
      (window as unknown as { eval(code: string): void }).eval("template = 'no-such-template'");
    });
    await page.click('#go');
    await expect.poll(() => page.textContent('#error'), { timeout: 60_000 }).toMatch(/\(UNKNOWN_TEMPLATE\)$/);
    expect(await page.textContent('#error')).not.toMatch(/at \S+\.ts|Error:/);
  }, 120_000);
});
