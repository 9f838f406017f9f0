// "Check before asking" on Telegram, end to end (telegraf against the fake Bot API, the real service, face model
// and ffmpeg): every bad file gets its own reason, with the limit, and no template picker; a clip over the
// length limit is trimmed (the person is told); templates' default captions, and `/meme <template> -` for none.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipTrimmedText, errorText } from '../../../src/bots/messages.ts';
import { type ErrorCode, InputError, MemeError } from '../../../src/errors.ts';
import { corruptJpeg, hugePng, longFaceClip, noFaceJpeg, pdfFile } from '../../helpers/bad-files.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { probeMedia } from '../fakes/telegram/media-probe.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { type TelegramHarness, startTelegramHarness } from './telegram-harness.ts';

const MB = 1024 * 1024;
/** Short so the trimmed render stays quick; the rule is the same at the default 10 s. */
const CLIP_LIMIT_SEC = 3;
let h: TelegramHarness;
let nextUser = 3001;

beforeAll(async () => {
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 }, { MEMELOOM_MAX_DRIVER_SECONDS: String(CLIP_LIMIT_SEC) });
});

afterAll(async () => {
  await h?.close();
});

/** No message in this chat offered template buttons. */
function expectNoPicker(chatId: number): void {
  const pickers = h.fake.callsOf('sendMessage', chatId).filter((c) => buttonsOf(c.params.reply_markup).some((b) => b.data.startsWith('t|')));
  expect(pickers).toHaveLength(0);
}

/** The refusal text the person gets, and nothing else in the chat. */
async function expectRefusal(chatId: number, code: string, mustSay: RegExp[] = []): Promise<string> {
  const reply = await h.waitFor('sendMessage', chatId, { timeoutMs: 20_000 });
  const text = String(reply.params.text);
  // The code's own text (bots/messages.ts), with the sizes filled in.
  const opening = errorText(new MemeError(code as ErrorCode)).text.split(/[.(]/)[0]!;
  expect(text.startsWith(opening), `${text} / ${opening}`).toBe(true);
  for (const pattern of mustSay) expect(text).toMatch(pattern);
  // Give a picker the time it would take to follow, then check none came.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expectNoPicker(chatId);
  expect(h.textsIn(chatId)).toHaveLength(1);
  return text;
}

describe('a bad file arriving in a private chat gets its reason and no picker', () => {
  it('a corrupt JPEG', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const bad = await corruptJpeg();
    user.sendPhoto(bad.bytes);
    const text = await expectRefusal(user.id, bad.code, [/damaged or cut off/]);
    expect(text).toBe(errorText(new InputError('IMAGE_UNREADABLE')).text);
  });

  it('a 12000×12000 PNG sent as a file: its size in pixels and the pixel limit', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const bad = await hugePng();
    user.sendDocument(bad.bytes, bad.name, bad.mime);
    await expectRefusal(user.id, bad.code, [/12000×12000 pixels/, /The limit is 50 megapixels\./]);
  });

  it('a photo over the byte limit, never downloaded', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const mark = h.fake.calls.length;
    user.sendDocument(await readFile(referenceImage('show1.jpg')), 'huge.jpg', 'image/jpeg', { reportedSize: 30 * MB });
    await expectRefusal(user.id, 'IMAGE_TOO_LARGE', [/\(30 MB\)/, /The limit is 20 MB\./]);
    expect(h.fake.calls.slice(mark).some((c) => c.method === 'getFile')).toBe(false);
  });

  it('a PDF', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const bad = pdfFile();
    user.sendDocument(bad.bytes, bad.name, bad.mime);
    const text = await expectRefusal(user.id, bad.code, [/JPEG, PNG, WebP/]);
    expect(text).toBe(errorText(new InputError('NOT_AN_IMAGE')).text);
  });

  it('a photo without a face', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const bad = await noFaceJpeg();
    user.sendPhoto(bad.bytes);
    const text = await expectRefusal(user.id, bad.code);
    expect(text).toBe(errorText(new InputError('NO_FACE')).text);
  });

  it('/meme without a template in a group checks the photo before the picker too', async () => {
    const groupId = -300700;
    const user = FakeUser.inGroup(h.fake, nextUser++, groupId);
    const bad = await noFaceJpeg();
    user.sendPhoto(bad.bytes, { caption: '/meme' });
    await expectRefusal(groupId, bad.code);
  });

  it('while a good photo gets the picker', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    user.sendPhoto(await readFile(referenceImage('show1.jpg')));
    const picker = await h.waitFor('sendMessage', user.id, { timeoutMs: 20_000 });
    expect(buttonsOf(picker.params.reply_markup).some((b) => b.data.startsWith('t|'))).toBe(true);
  });
});

describe('clips over the length limit', () => {
  it('/drive with a longer clip: told it is trimmed, and the animation lasts the limit', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const clip = await longFaceClip(await mkdtemp(path.join(tmpdir(), 'memeloom-tg-clip-')), 7);
    const photo = user.sendPhoto(await readFile(referenceImage('show4.jpg')));
    await h.waitFor('sendMessage', user.id, { timeoutMs: 20_000 }); // the picker for the photo
    user.sendVideo(clip.bytes, { caption: '/drive', replyTo: photo });
    const note = await h.waitForText(user.id, (text) => /clip is/.test(text), { timeoutMs: 20_000 });
    expect(note.params.text).toBe(clipTrimmedText(7, CLIP_LIMIT_SEC));
    expect(String(note.params.text)).toMatch(/7 s long; I will use its first 3 s/);
    const result = await h.waitFor('sendAnimation', user.id, { timeoutMs: 60_000 });
    const probe = await probeMedia(result.files.animation!.bytes);
    expect(probe.durationSec).toBeCloseTo(CLIP_LIMIT_SEC, 0);
  });
});

describe('default captions', () => {
  it('a template renders with its default caption unless the person typed one or "-"', async () => {
    const user = FakeUser.inPrivate(h.fake, nextUser++);
    const photo = await readFile(referenceImage('show6.jpg'));
    const smug = h.templates.get('smug');
    expect(smug.defaultCaption?.bottom).toBeTruthy();

    user.sendPhoto(photo, { caption: '/meme smug' });
    await h.waitFor('sendAnimation', user.id, { timeoutMs: 60_000 });
    expect(h.rendered.at(-1)?.captions).toEqual(smug.defaultCaption);

    const mark = h.fake.calls.length;
    user.sendPhoto(photo, { caption: '/meme smug -' });
    await h.waitFor('sendAnimation', user.id, { fromIndex: mark, timeoutMs: 60_000 });
    expect(h.rendered.at(-1)).toMatchObject({ templateId: 'smug', captions: {} });

    const typed = h.fake.calls.length;
    user.sendPhoto(photo, { caption: '/meme smug me | irl' });
    await h.waitFor('sendAnimation', user.id, { fromIndex: typed, timeoutMs: 60_000 });
    expect(h.rendered.at(-1)?.captions).toEqual({ top: 'me', bottom: 'irl' });
  });
});
