// The playground's style select in headless Chromium, served by the real start path (startMemeloom) with a
// renderer that reports the hellomeme engine and two installed styles: the select appears, lists every HelloMeme
// style with the missing ones disabled, and the chosen style reaches the renderer. Warp-only, it stays hidden.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { loadConfig } from '../../../src/config.ts';
import { type RunningMemeloom, startMemeloom } from '../../../src/main.ts';
import { loadTemplateCatalog } from '../../../src/templates/catalog.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { FakeRenderer, testConfig } from '../../unit/bots/service-fixtures.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
const bots: RunningMemeloom[] = [];

async function start(renderer: FakeRenderer): Promise<RunningMemeloom> {
  const { dataDir } = testConfig();
  const config = loadConfig({ MEMELOOM_PORT: '0', MEMELOOM_DATA_DIR: dataDir, MEMELOOM_GPU_DEVICES: '1' });
  const bot = await startMemeloom(config, { renderer, templates: await loadTemplateCatalog(), logger: silentLogger });
  bots.push(bot);
  return bot;
}

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const bot of bots) await bot.stop();
});

describe('playground style select', () => {
  it('offers the installed styles and sends the chosen one with the job', async () => {
    const renderer = new FakeRenderer();
    renderer.engines = ['warp', 'hellomeme'];
    renderer.styles = ['ghibli', 'ink'];
    const bot = await start(renderer);
    const page = await browser.newPage();
    await page.goto(bot.url as string);
    await page.locator('#style-section').waitFor({ state: 'visible' });
    const options = await page.$$eval('#style option', (list) => list.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent, disabled: (o as HTMLOptionElement).disabled })));
    expect(options).toHaveLength(10);
    expect(options[0]).toEqual({ value: '', text: "None: the model's own look", disabled: false });
    expect(options.find((o) => o.value === 'ghibli')).toEqual({ value: 'ghibli', text: 'Ghibli anime', disabled: false });
    expect(options.find((o) => o.value === 'drawing')).toEqual({ value: 'drawing', text: 'Drawing (not installed)', disabled: true });
    await page.setInputFiles('#photo', referenceImage('chillout.jpg'));
    await page.locator('.template[data-id="nod-along"]').click();
    await page.selectOption('#style', 'ghibli');
    await page.click('#go');
    await page.locator('#result-img').waitFor({ state: 'visible', timeout: 30_000 });
    expect(renderer.calls[0].spec).toMatchObject({ templateId: 'nod-along', engine: 'hellomeme', style: 'ghibli' });
    await page.close();
  }, 60_000);

  it('stays hidden when the bot has no HelloMeme engine', async () => {
    const bot = await start(new FakeRenderer());
    const page = await browser.newPage();
    const styles = page.waitForResponse((r) => r.url().endsWith('/api/styles'));
    await page.goto(bot.url as string);
    expect((await (await styles).json()).hellomeme).toBe(false);
    // The templates are on the page (hidden until a photo passes its check), so the page has loaded.
    await page.locator('.template').first().waitFor({ state: 'attached' });
    expect(await page.locator('#style-section').isHidden()).toBe(true);
    await page.close();
  }, 60_000);
});
