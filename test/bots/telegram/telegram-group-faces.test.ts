// A group photo on Telegram, end to end against the fake Bot API with the real renderer: the bot first sends the
// photo with its faces boxed and numbered (sendPhoto, a JPEG upload) and a keyboard 1..n + "All faces" (ticked),
// then the template picker. A tap on a number moves the tick (editMessageReplyMarkup) and the meme is rendered
// with that face only; "Another take" keeps the choice. Untouched, the choice is all faces; a one-face photo
// gets no face picker.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImage } from '../../helpers/fixtures.ts';
import { threeFacePhoto } from '../../helpers/group-photos.ts';
import type { RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.ts';

let h: TelegramHarness;
let three: Buffer;

beforeAll(async () => {
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 });
  three = await threeFacePhoto();
});
afterAll(async () => {
  await h?.close();
});

const messageOf = (call: RecordedCall) => call.result as Record<string, unknown>;

describe('Telegram face picker', () => {
  it('sends the numbered faces with 1..3 and a ticked "All faces", then the template picker for the same photo', async () => {
    const user = FakeUser.inPrivate(h.fake, 3001);
    const sent = user.sendPhoto(three);
    const faces = await h.waitFor('sendPhoto', 3001);
    expect(String(faces.params.caption)).toMatch(/I found 3 faces: all of them will move/);
    expect(faces.params.reply_parameters).toMatchObject({ message_id: sent.message_id });
    const meta = await sharp(faces.files.photo!.bytes).metadata();
    expect(meta.format).toBe('jpeg');
    const buttons = buttonsOf(faces.params.reply_markup);
    expect(buttons.map((b) => b.text)).toEqual(['1', '2', '3', '✅ All faces']);
    const pickId = buttons[0].data.split('|')[1];
    expect(buttons.map((b) => b.data)).toEqual([`f|${pickId}|1`, `f|${pickId}|2`, `f|${pickId}|3`, `f|${pickId}|all`]);
    const picker = await h.waitFor('sendMessage', 3001, { match: (c) => c.params.reply_markup !== undefined });
    expect(buttonsOf(picker.params.reply_markup)[0].data.split('|')[1]).toBe(pickId);
  });

  it('renders only the tapped face, and "Another take" keeps it', async () => {
    const user = FakeUser.inPrivate(h.fake, 3002);
    user.sendPhoto(three);
    const faces = await h.waitFor('sendPhoto', 3002);
    const picker = await h.waitFor('sendMessage', 3002, { match: (c) => c.params.reply_markup !== undefined });
    const two = buttonsOf(faces.params.reply_markup)[1];
    user.tap(messageOf(faces), two.data);
    const edit = await h.waitFor('editMessageReplyMarkup', 3002);
    expect(buttonsOf(edit.params.reply_markup).map((b) => b.text)).toEqual(['1', '✅ 2', '3', 'All faces']);
    const before = h.rendered.length;
    user.tap(messageOf(picker), buttonsOf(picker.params.reply_markup).find((b) => b.data.startsWith('t|'))!.data);
    const result = await h.waitFor('sendAnimation', 3002);
    expect(h.rendered[before].face).toBe(2);
    const reroll = buttonsOf(result.params.reply_markup).find((b) => b.data.startsWith('ra|'))!;
    const calls = h.fake.calls.length;
    user.tap(messageOf(result), reroll.data);
    await h.waitFor('sendAnimation', 3002, { fromIndex: calls });
    expect(h.rendered[h.rendered.length - 1].face).toBe(2);
    expect(h.rendered[h.rendered.length - 1].seed).not.toBe(h.rendered[before].seed);
  });

  it('animates all faces when no face was tapped, and shows no face picker for one face', async () => {
    const user = FakeUser.inPrivate(h.fake, 3003);
    user.sendPhoto(three);
    const picker = await h.waitFor('sendMessage', 3003, { match: (c) => c.params.reply_markup !== undefined });
    const before = h.rendered.length;
    user.tap(messageOf(picker), buttonsOf(picker.params.reply_markup).find((b) => b.data.startsWith('t|'))!.data);
    await h.waitFor('sendAnimation', 3003);
    expect(h.rendered[before].face).toBe('all');

    const single = FakeUser.inPrivate(h.fake, 3004);
    single.sendPhoto(await readFile(referenceImage('trump.jpg')));
    await h.waitFor('sendMessage', 3004, { match: (c) => c.params.reply_markup !== undefined });
    expect(h.fake.callsOf('sendPhoto', 3004)).toHaveLength(0);
  });
});
