// A group photo's notes on Telegram, end to end against the fake Bot API with the real renderer: what was left
// still and why (a face under the size floor, faces past the six largest) is the caption of the result animation.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANIMATED_FACES, MIN_ANIMATED_FACE_PX } from '../../../src/pipeline/face/face-choice.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { eightFacePhoto, tinyFacePhoto } from '../../helpers/group-photos.ts';
import { FakeUser } from '../fakes/telegram/fake-user.ts';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.ts';

let h: TelegramHarness;

beforeAll(async () => {
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 });
});
afterAll(async () => {
  await h?.close();
});

describe('Telegram group photo notes', () => {
  it('says under the result that a face smaller than the minimum stays still, naming the minimum', async () => {
    const user = FakeUser.inPrivate(h.fake, 3101);
    user.sendPhoto(await tinyFacePhoto(), { caption: '/meme smug' });
    const result = await h.waitFor('sendAnimation', 3101, { timeoutMs: 90_000 });
    const caption = String(result.params.caption);
    expect(caption).toContain(`smaller than ${MIN_ANIMATED_FACE_PX} pixels`);
    expect(caption).toMatch(/^Note: one face is smaller than \d+ pixels and stays still\.$/);
    expect(caption.length).toBeLessThanOrEqual(1024);
  });

  it('says under the result that only the six largest of eight faces move', async () => {
    const user = FakeUser.inPrivate(h.fake, 3102);
    user.sendPhoto(await eightFacePhoto(), { caption: '/meme smug' });
    const result = await h.waitFor('sendAnimation', 3102, { timeoutMs: 90_000 });
    const caption = String(result.params.caption);
    expect(caption).toContain(`8 faces found: the ${MAX_ANIMATED_FACES} largest are animated`);
    expect(caption.length).toBeLessThanOrEqual(1024);
  });

  it('sends a one-face result with no caption', async () => {
    const user = FakeUser.inPrivate(h.fake, 3103);
    user.sendPhoto(await readFile(referenceImage('trump.jpg')), { caption: '/meme smug' });
    const result = await h.waitFor('sendAnimation', 3103, { timeoutMs: 90_000 });
    expect(result.params.caption).toBeUndefined();
  });
});
