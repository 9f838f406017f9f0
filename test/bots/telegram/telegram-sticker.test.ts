// "Add to my stickers" end to end: telegraf against the fake Bot API (uploadStickerFile, getStickerSet,
// createNewStickerSet, addStickerToSet with InputSticker JSON), the real service, warp renderer and ffmpeg.
// Ordered: later tests build on the pack the first one made.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTitle } from '../../../src/bots/telegram/sticker-packs.ts';
import { TEXTS } from '../../../src/bots/telegram/telegram-texts.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { BOT_USER } from '../fakes/telegram/fake-bot-methods.ts';
import type { RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { probeMedia } from '../fakes/telegram/media-probe.ts';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.ts';

const ANNA = 4001;
const PACK = `memes_${ANNA}_by_${BOT_USER.username}`;
const PACK_2 = `memes_${ANNA}_2_by_${BOT_USER.username}`;
const PACK_3 = `memes_${ANNA}_3_by_${BOT_USER.username}`;

let h: TelegramHarness;
beforeAll(async () => {
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 });
});
afterAll(async () => {
  await h?.close();
});

/** Sends a photo captioned `/meme <template>` and waits for the animation with its buttons. */
async function memeOf(user: FakeUser, template: string, photo: string): Promise<RecordedCall> {
  const mark = h.fake.calls.length;
  user.sendPhoto(await readFile(referenceImage(photo)), { caption: `/meme ${template}` });
  return h.waitFor('sendAnimation', user.chat.id, { fromIndex: mark, timeoutMs: 45_000 });
}

function tapButton(user: FakeUser, result: RecordedCall, tag: string): number {
  const mark = h.fake.calls.length;
  user.tap(result.result as Record<string, unknown>, buttonsOf(result.params.reply_markup).find((b) => b.data.startsWith(`${tag}|`))!.data);
  return mark;
}

/** The bot's answer about the pack in this chat, after call index `fromIndex`. */
function packAnswer(chatId: number, fromIndex: number, match: (text: string) => boolean): Promise<RecordedCall> {
  return h.waitFor('sendMessage', chatId, { fromIndex, timeoutMs: 45_000, match: (c) => match(String(c.params.text)) });
}

describe('personal sticker packs on Telegram', () => {
  let smug: RecordedCall;

  it('"Add to my stickers" renders the video sticker, creates the pack on first use and links it', async () => {
    const anna = FakeUser.inPrivate(h.fake, ANNA);
    smug = await memeOf(anna, 'smug', 'majicmix1.jpg');
    expect(buttonsOf(smug.params.reply_markup).map((b) => b.text)).toContain(TEXTS.buttons.addToStickers);
    const mark = tapButton(anna, smug, 'pk');
    const title = packTitle(anna.from.first_name, 1);
    const answer = await packAnswer(ANNA, mark, (text) => text.includes('t.me/addstickers/'));
    expect(answer.params.text).toBe(TEXTS.stickers.added(title, `https://t.me/addstickers/${PACK}`));
    expect(answer.params.reply_markup).toEqual({ inline_keyboard: [[{ text: TEXTS.stickers.openPack, url: `https://t.me/addstickers/${PACK}` }]] });
    expect(answer.params.reply_parameters).toMatchObject({ message_id: (smug.result as { message_id: number }).message_id });
    expect(h.rendered.at(-1)).toMatchObject({ templateId: 'smug', format: 'webm' });

    // The wire: the WebM uploaded once (multipart), the set looked up, then created with InputSticker JSON.
    const calls = h.fake.calls.slice(mark).filter((c) => ['uploadStickerFile', 'getStickerSet', 'createNewStickerSet', 'addStickerToSet'].includes(c.method));
    expect(calls.map((c) => `${c.method}${c.ok ? '' : `!${c.description}`}`)).toEqual([
      'uploadStickerFile',
      'getStickerSet!Bad Request: STICKERSET_INVALID',
      'createNewStickerSet',
    ]);
    const [upload, , create] = calls as [RecordedCall, RecordedCall, RecordedCall];
    expect(upload.params).toMatchObject({ user_id: String(ANNA), sticker_format: 'video' });
    expect(upload.files.sticker!.filename).toBe('sticker.webm');
    const fileId = (upload.result as { file_id: string }).file_id;
    expect(create.params).toEqual({ user_id: ANNA, name: PACK, title, stickers: [{ sticker: fileId, format: 'video', emoji_list: ['😏', '😁', '😎'] }] });

    // The pack holds one sticker: a WebM within Telegram's video sticker limits.
    const set = h.fake.state.stickerSets.get(PACK.toLowerCase())!;
    expect(set).toMatchObject({ name: PACK, title, ownerId: ANNA, stickers: [{ fileId, format: 'video' }] });
    const bytes = h.fake.state.files.get(fileId)!.bytes;
    expect(bytes.length).toBeLessThanOrEqual(256 * 1024);
    const probe = await probeMedia(bytes);
    expect(probe).toMatchObject({ container: 'matroska,webm', videoCodec: 'vp9', hasAudio: false });
    expect(Math.max(probe.width!, probe.height!)).toBe(512);
    expect(probe.durationSec).toBeGreaterThan(1);
    expect(probe.durationSec).toBeLessThanOrEqual(3);
    expect(probe.fps).toBeLessThanOrEqual(30);
  });

  it('a sticker already sent with "As sticker" goes in by its file_id, with no render and no upload', async () => {
    const anna = FakeUser.inPrivate(h.fake, ANNA);
    const gasp = await memeOf(anna, 'gasp', 'show1.jpg');
    const stickerMark = tapButton(anna, gasp, 'st');
    const sticker = await h.waitFor('sendSticker', ANNA, { fromIndex: stickerMark, timeoutMs: 45_000 });
    const stickerFileId = (sticker.result as { sticker: { file_id: string } }).sticker.file_id;
    const renders = h.rendered.length;
    const mark = tapButton(anna, gasp, 'pk');
    await packAnswer(ANNA, mark, (text) => text === TEXTS.stickers.added(packTitle(anna.from.first_name, 1), `https://t.me/addstickers/${PACK}`));
    expect(h.rendered.length).toBe(renders);
    const calls = h.fake.calls.slice(mark);
    expect(calls.some((c) => c.method === 'uploadStickerFile')).toBe(false);
    const add = calls.find((c) => c.method === 'addStickerToSet')!;
    expect(add.ok).toBe(true);
    expect(add.params).toEqual({ user_id: ANNA, name: PACK, sticker: { sticker: stickerFileId, format: 'video', emoji_list: ['😱', '😮', '😲'] } });
    expect(h.fake.state.stickerSets.get(PACK.toLowerCase())!.stickers).toHaveLength(2);
  });

  it('a full pack (120 stickers) moves on to a second pack and says so', async () => {
    const set = h.fake.state.stickerSets.get(PACK.toLowerCase())!;
    while (set.stickers.length < 120) set.stickers.push({ ...set.stickers[0]!, fileUniqueId: `filler${set.stickers.length}` });
    const anna = FakeUser.inPrivate(h.fake, ANNA);
    const mark = tapButton(anna, smug, 'pk');
    const first = packTitle(anna.from.first_name, 1);
    const second = packTitle(anna.from.first_name, 2);
    const answer = await packAnswer(ANNA, mark, (text) => text.includes('t.me/addstickers/'));
    expect(answer.params.text).toBe(TEXTS.stickers.addedToNew(second, `https://t.me/addstickers/${PACK_2}`, first, 120));
    expect(h.fake.callsOf('createNewStickerSet').filter((c) => c.ok).map((c) => c.params.name)).toEqual([PACK, PACK_2]);
    expect(h.fake.state.stickerSets.get(PACK.toLowerCase())!.stickers).toHaveLength(120);
  });

  it('a pack deleted in @Stickers (its name stays taken) is skipped for the next free name', async () => {
    h.fake.state.stickerSets.delete(PACK_2.toLowerCase());
    const anna = FakeUser.inPrivate(h.fake, ANNA);
    const mark = tapButton(anna, smug, 'pk');
    const answer = await packAnswer(ANNA, mark, (text) => text.includes('t.me/addstickers/'));
    expect(answer.params.text).toContain(`https://t.me/addstickers/${PACK_3}`);
    const failed = h.fake.calls.slice(mark).filter((c) => !c.ok).map((c) => `${c.method}!${c.description}`);
    expect(failed).toContain('createNewStickerSet!Bad Request: sticker set name is already occupied');
    expect(h.fake.state.stickerSets.get(PACK_3.toLowerCase())).toMatchObject({ title: packTitle(anna.from.first_name, 3), stickers: [expect.anything()] });
  });

  it('in a group the pack is the tapper\'s; Telegram refusing an unknown user gets a message saying what to do', async () => {
    const group = -1004001;
    const ann = FakeUser.inGroup(h.fake, 4011, group);
    const bob = FakeUser.inGroup(h.fake, 4012, group);
    const meme = await memeOf(ann, 'nice', 'show4.jpg');
    h.fake.failNext('uploadStickerFile', { errorCode: 400, description: 'Bad Request: PEER_ID_INVALID' });
    const mark = tapButton(bob, meme, 'pk');
    await h.waitForText(group, (text) => text.includes(TEXTS.stickers.startFirst(BOT_USER.username)), { fromIndex: mark, timeoutMs: 45_000 });
    const refused = h.fake.calls.slice(mark).find((c) => c.method === 'uploadStickerFile')!;
    expect(refused.params.user_id).toBe('4012');
    // Tapping again once Telegram knows the user works, into Bob's own pack.
    const again = tapButton(bob, meme, 'pk');
    const answer = await packAnswer(group, again, (text) => text.includes('t.me/addstickers/'));
    expect(answer.params.text).toContain(`memes_4012_by_${BOT_USER.username}`);
    expect(h.fake.state.stickerSets.get(`memes_4012_by_${BOT_USER.username}`)!.ownerId).toBe(4012);
  });

  it('logged no adapter errors', () => {
    expect(h.logs.filter((line) => /"level":"error"/.test(line))).toEqual([]);
  });
});
