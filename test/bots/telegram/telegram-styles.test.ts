// `/meme <template> style:NAME` end to end with the tiny HelloMeme engine registered (its random LoRA for 'ghibli'
// under loras/): telegraf against the fake Bot API, the real service, queue, renderer, HelloMeme sessions and ffmpeg.
// The style reaches the engine and the animation comes back; a style this bot lacks is answered with why.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloMemeEngine } from '../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { writeTinyStyle } from '../../helpers/tiny-hellomeme/tiny-lora.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { TINY_LATENT, tinyModelDir } from '../../unit/pipeline/engines/hellomeme/engine/engine-fixtures.ts';
import { FakeUser } from '../fakes/telegram/fake-user.ts';
import { type TelegramHarness, startTelegramHarness } from './telegram-harness.ts';

let h: TelegramHarness;
let photo: Buffer;

beforeAll(async () => {
  const dir = await tinyModelDir();
  await writeTinyStyle(dir.models, 'ghibli', 8200);
  const hellomeme = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu', threads: 1 }, latentSize: TINY_LATENT, steps: 1, upscale: false });
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 }, {}, { hellomeme });
  photo = await readFile(referenceImage('majicmix1.jpg'));
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('Telegram styles', () => {
  it('/meme nod-along style:ghibli renders on HelloMeme with the style and sends the animation', async () => {
    const user = FakeUser.inPrivate(h.fake, 3101);
    user.sendPhoto(photo, { caption: '/meme nod-along style:ghibli top | bottom' });
    const result = await h.waitFor('sendAnimation', 3101, { timeoutMs: 170_000 });
    expect(result.probes.animation?.videoCodec).toBe('h264');
    expect(h.rendered.at(-1)).toMatchObject({ templateId: 'nod-along', engine: 'hellomeme', style: 'ghibli', captions: { top: 'top', bottom: 'bottom' } });
  }, 180_000);

  it('answers a style this bot does not have with the reason, rendering nothing', async () => {
    const before = h.rendered.length;
    const user = FakeUser.inPrivate(h.fake, 3102);
    user.sendPhoto(photo, { caption: '/meme nod-along style:drawing' });
    await h.waitForText(3102, (text) => text.includes("the 'drawing' style is not installed on this bot (installed: ghibli)"), { timeoutMs: 20_000 });
    expect(h.rendered.length).toBe(before);
  }, 30_000);
});
