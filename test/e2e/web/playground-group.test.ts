// The playground with a group photo, in headless Chromium (playwright-core + Debian's /usr/bin/chromium) against
// `memeloom start` as a child process: a numbered, clickable box over each face (where the faces are in the
// picture, named buttons that pass an axe-core audit) and "All faces" pressed by default; clicking face 2 presses it alone and the request carries face=2,
// and the meme it makes differs from the all-faces one. PLAYGROUND_SCREENSHOTS=<dir> keeps a screenshot.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threeFacePhoto } from '../../helpers/group-photos.ts';
import { startPlayground } from './playground-server.ts';

const SCREENSHOTS = process.env.PLAYGROUND_SCREENSHOTS;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let baseUrl: string;
let browser: Browser;
let stopPlayground: (() => Promise<void>) | undefined;
const work = mkdtempSync(path.join(tmpdir(), 'memeloom-e2e-group-'));
const photoFile = path.join(work, 'three.png');

/** Makes the meme on screen and returns its GIF and the face field the page put into the request's form. */
async function animate(page: Page): Promise<{ gif: Buffer; face: string | undefined }> {
  await Promise.all([page.waitForRequest((r) => r.url().endsWith('/api/jobs') && r.method() === 'POST'), page.click('#go')]);
  const face = await page.evaluate(() => (window as unknown as { formFields: [string, string][] }).formFields.findLast(([name]) => name === 'face')?.[1]);
  await page.locator('#download-gif:not([disabled])').waitFor({ timeout: 120_000 });
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.click('#download-gif')]);
  return { gif: readFileSync((await file.path())!), face };
}

beforeAll(async () => {
  writeFileSync(photoFile, await threeFacePhoto());
  ({ baseUrl, browser, stop: stopPlayground } = await startPlayground(work));
}, 180_000);

afterAll(async () => {
  await stopPlayground?.();
});

describe('playground face boxes', () => {
  it('boxes each face over the photo; face 2 alone is sent and rendered, all faces by default', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    // Playwright does not expose multipart bodies with files: record the form fields as the page appends them.
    await page.addInitScript(() => {
      const fields: [string, string][] = [];
      (window as unknown as { formFields: [string, string][] }).formFields = fields;
      const append = FormData.prototype.append;
      FormData.prototype.append = function (this: FormData, name: string, value: string | Blob, filename?: string) {
        if (typeof value === 'string') fields.push([name, value]);
        Reflect.apply(append, this, filename === undefined ? [name, value] : [name, value, filename]);
      } as typeof FormData.prototype.append;
    });
    await page.goto(baseUrl);
    await page.locator('.template').first().waitFor({ state: 'attached' });
    await page.setInputFiles('#photo', photoFile);
    await page.locator('.face-box').nth(2).waitFor({ timeout: 30_000 });
    expect(await page.locator('.face-box').count()).toBe(3);
    expect(await page.textContent('#faces-note')).toBe('3 faces: all of them will move. Click a face to animate only that one.');
    expect(await page.getAttribute('#all-faces', 'aria-pressed')).toBe('true');
    // Each box lies on the photo, left to right, each in its own third (the portraits sit side by side).
    const preview = (await page.locator('#photo-preview').boundingBox())!;
    const boxes = await Promise.all([0, 1, 2].map(async (i) => (await page.locator('.face-box').nth(i).boundingBox())!));
    boxes.forEach((box, i) => {
      const centre = box.x + box.width / 2 - preview.x;
      expect(centre).toBeGreaterThan((preview.width * i) / 3);
      expect(centre).toBeLessThan((preview.width * (i + 1)) / 3);
      expect(box.y).toBeGreaterThanOrEqual(preview.y);
      expect(box.y + box.height).toBeLessThanOrEqual(preview.y + preview.height + 1);
    });
    // The boxes are buttons with names: the axe-core audit finds nothing to fault.
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string }> }> } }).axe;
      return (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })).violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
    await page.click('.template[data-id="nice"]');
    const all = await animate(page);
    expect(all.face).toBe('all');

    await page.click('.face-box[data-face="2"]');
    expect(await page.getAttribute('.face-box[data-face="2"]', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('.face-box[data-face="1"]', 'aria-pressed')).toBe('false');
    expect(await page.getAttribute('#all-faces', 'aria-pressed')).toBe('false');
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'group-faces.png'), fullPage: true });
    }
    const two = await animate(page);
    expect(two.face).toBe('2');
    expect(two.gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(two.gif.equals(all.gif)).toBe(false);
    expect(await page.textContent('#error')).toBe('');
    await context.close();
  }, 300_000);
});
