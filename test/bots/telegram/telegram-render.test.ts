// The Telegram flows that render, end to end: telegraf against the fake Bot API, the real service, queue,
// renderer (warp engine) and ffmpeg. Few and ordered: later tests reuse the first result.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText, message } from '../../../src/bots/messages.ts';
import { TEXTS } from '../../../src/bots/telegram/telegram-texts.ts';
import { InputError } from '../../../src/errors.ts';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';
import type { RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { type TelegramHarness, startTelegramHarness } from './telegram-harness.ts';

let h: TelegramHarness;
let photo: Buffer;

beforeAll(async () => {
  // A short chat interval keeps these flows quick; the limits themselves are covered in telegram-bot.test.ts.
  h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 });
  photo = await readFile(referenceImage('majicmix1.jpg'));
});

afterAll(async () => {
  await h?.close();
});

function expectSilentMp4Upload(call: RecordedCall): void {
  expect(call.files.animation).toBeDefined();
  const probe = call.probes.animation!;
  expect(probe.container).toContain('mp4');
  expect(probe.videoCodec).toBe('h264');
  expect(probe.hasAudio).toBe(false);
}

describe('Telegram meme flows', () => {
  const alice = 2001;
  let firstResult: RecordedCall;
  let firstTemplate: string;

  it('photo → template picker → tap → status edits → animation with buttons', async () => {
    const user = FakeUser.inPrivate(h.fake, alice);
    const sentPhoto = user.sendPhoto(photo);
    const picker = await h.waitFor('sendMessage', alice, { match: (c) => c.params.reply_markup !== undefined });
    expect(picker.params.reply_parameters).toMatchObject({ message_id: sentPhoto.message_id });
    const pick = buttonsOf(picker.params.reply_markup).find((b) => b.data.startsWith('t|'))!;
    firstTemplate = pick.data.split('|')[2]!;
    const pickerMessageId = (picker.result as { message_id: number }).message_id;
    user.tap(picker.result as Record<string, unknown>, pick.data);

    firstResult = await h.waitFor('sendAnimation', alice);
    expectSilentMp4Upload(firstResult);
    expect(buttonsOf(firstResult.params.reply_markup).map((b) => b.data.split('|')[0])).toEqual(['ra', 'ot', 'st', 'gf', 'pk']);
    // The tapped picker became the status message (edited to a status: the fetch acknowledgement, a queue or a
    // progress line; a render as quick as this one may finish before the pacing allows a second edit), then was removed.
    const edits = h.fake.callsOf('editMessageText', alice).filter((c) => c.ok && Number(c.params.message_id) === pickerMessageId);
    expect(edits.length).toBeGreaterThan(0);
    const isStatus = (text: string) => text === TEXTS.fetchingPhoto || text === message('queued') || /queue|Animating/i.test(text);
    expect(edits.every((c) => isStatus(String(c.params.text)))).toBe(true);
    await h.waitFor('deleteMessage', alice, { match: (c) => Number(c.params.message_id) === pickerMessageId });
    expect(h.fake.callsOf('answerCallbackQuery').length).toBeGreaterThan(0);
    expect(h.fake.callsOf('sendChatAction', alice).some((c) => c.params.action === 'upload_video')).toBe(true);
  });

  it('re-sends an identical request by file_id without uploading', async () => {
    const user = FakeUser.inPrivate(h.fake, alice);
    const firstFileId = (firstResult.result as { animation: { file_id: string } }).animation.file_id;
    // Same photo bytes (same file_unique_id), same template, asked with /meme as a reply this time. The bare
    // photo is checked (downloaded) before its picker is shown; the /meme that follows fetches nothing.
    const again = user.sendPhoto(photo);
    await h.waitFor('sendMessage', alice, { fromIndex: h.fake.calls.length, match: (c) => c.params.reply_markup !== undefined });
    const mark = h.fake.calls.length;
    user.sendText(`/meme ${firstTemplate}`, { replyTo: again });
    const resent = await h.waitFor('sendAnimation', alice, { fromIndex: mark });
    expect(resent.files.animation).toBeUndefined();
    expect(resent.params.animation).toBe(firstFileId);
    expect(h.fake.calls.slice(mark).some((c) => c.method === 'getFile')).toBe(false);
  });

  it('"Another take" renders again and uploads a new animation', async () => {
    const user = FakeUser.inPrivate(h.fake, alice);
    const reroll = buttonsOf(firstResult.params.reply_markup).find((b) => b.data.startsWith('ra|'))!;
    const mark = h.fake.calls.length;
    user.tap(firstResult.result as Record<string, unknown>, reroll.data);
    const take = await h.waitFor('sendAnimation', alice, { fromIndex: mark });
    expectSilentMp4Upload(take);
    expect(take.params.reply_parameters).toMatchObject({ message_id: (firstResult.result as { message_id: number }).message_id });
    const retaken = h.rendered.at(-1)!;
    expect(retaken.seed).not.toBe(0);
    // "As GIF file" under the new take is that take again, not the first one.
    user.tap(take.result as Record<string, unknown>, buttonsOf(take.params.reply_markup).find((b) => b.data.startsWith('gf|'))!.data);
    await h.waitFor('sendDocument', alice, { fromIndex: mark });
    expect(h.rendered.at(-1)).toMatchObject({ format: 'gif', seed: retaken.seed });
  });

  it('"Other template" shows the picker again for the same photo', async () => {
    const user = FakeUser.inPrivate(h.fake, alice);
    const other = buttonsOf(firstResult.params.reply_markup).find((b) => b.data.startsWith('ot|'))!;
    const mark = h.fake.calls.length;
    user.tap(firstResult.result as Record<string, unknown>, other.data);
    const picker = await h.waitFor('sendMessage', alice, { fromIndex: mark, match: (c) => c.params.reply_markup !== undefined });
    expect(picker.params.reply_parameters).toMatchObject({ message_id: (firstResult.result as { message_id: number }).message_id });
    // Picking from it re-uses the same photo: that template on that photo was made before, so it comes by file_id.
    const same = buttonsOf(picker.params.reply_markup).find((b) => b.data.endsWith(`|${firstTemplate}`))!;
    user.tap(picker.result as Record<string, unknown>, same.data);
    const resent = await h.waitFor('sendAnimation', alice, { fromIndex: mark });
    expect(resent.params.animation).toBe((firstResult.result as { animation: { file_id: string } }).animation.file_id);
  });

  it('"As sticker" sends a VP9 WebM video sticker and "As GIF file" a GIF document', async () => {
    const user = FakeUser.inPrivate(h.fake, alice);
    const buttons = buttonsOf(firstResult.params.reply_markup);
    const mark = h.fake.calls.length;
    user.tap(firstResult.result as Record<string, unknown>, buttons.find((b) => b.data.startsWith('st|'))!.data);
    const sticker = await h.waitFor('sendSticker', alice, { fromIndex: mark });
    expect(sticker.probes.sticker).toMatchObject({ container: 'matroska,webm', videoCodec: 'vp9', hasAudio: false });
    expect(sticker.files.sticker!.bytes.length).toBeLessThanOrEqual(256 * 1024);
    // Telegram's video-sticker profile (telegram-config.ts telegramOutput): 512 px on the longest side, at most 3 s.
    const { width = 0, height = 0, durationSec = Number.POSITIVE_INFINITY } = sticker.probes.sticker!;
    expect(Math.max(width, height)).toBe(512);
    expect(durationSec).toBeLessThanOrEqual(3.05);
    user.tap(firstResult.result as Record<string, unknown>, buttons.find((b) => b.data.startsWith('gf|'))!.data);
    const gif = await h.waitFor('sendDocument', alice, { fromIndex: mark });
    expect(gif.files.document!.filename).toBe('memeloom.gif');
    expect(gif.files.document!.bytes.subarray(0, 4).toString('latin1')).toBe('GIF8');
  });

  it('/meme with captions as a photo caption', async () => {
    const bob = FakeUser.inPrivate(h.fake, 2002);
    const sent = bob.sendPhoto(await readFile(referenceImage('show1.jpg')), { caption: '/meme smug when the tests | finally pass' });
    const result = await h.waitFor('sendAnimation', 2002);
    expectSilentMp4Upload(result);
    expect(result.params.reply_parameters).toMatchObject({ message_id: sent.message_id });
  });

  it('/drive with a video as a reply to a photo uses the clip as motion', async () => {
    const carol = FakeUser.inPrivate(h.fake, 2003);
    const sentPhoto = carol.sendPhoto(await readFile(referenceImage('show4.jpg')));
    carol.sendVideo(await readFile(driveVideo('qie.mp4')), { caption: '/drive', replyTo: sentPhoto });
    const result = await h.waitFor('sendAnimation', 2003, { timeoutMs: 45_000 });
    expectSilentMp4Upload(result);
    // The clip was fetched from Telegram too (photo + clip).
    expect(h.fake.downloads.filter((p) => p.startsWith('videos/'))).toHaveLength(1);
  });

  it('a photo without a face gets the friendly NO_FACE text', async () => {
    const erin = FakeUser.inPrivate(h.fake, 2005);
    // A smooth gradient: a valid JPEG with nothing face-like in it.
    const gradient = Buffer.alloc(256 * 256 * 3);
    for (let i = 0; i < 256 * 256; i++) gradient.fill((i % 256) * 0.5 + 40, i * 3, i * 3 + 3);
    const noFace = await sharp(gradient, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toBuffer();
    erin.sendPhoto(noFace, { caption: '/meme smug' });
    const noFaceText = errorText(new InputError('NO_FACE')).text;
    await h.waitForText(2005, (text) => text === noFaceText);
    expect(h.fake.callsOf('sendAnimation', 2005)).toHaveLength(0);
  });

  it('/cancel stops the running job and no animation is sent', async () => {
    const dave = FakeUser.inPrivate(h.fake, 2004);
    dave.sendPhoto(await readFile(referenceImage('show6.jpg')), { caption: '/meme nod-along' });
    // Submitted: the replier starts "sending video…" when the job is queued.
    await h.waitFor('sendChatAction', 2004);
    dave.sendText('/cancel');
    await h.waitForText(2004, (text) => text === errorText(new InputError('CANCELLED')).text);
    await h.waitFor('sendMessage', 2004, { match: (c) => c.params.text === TEXTS.cancelled });
  });

  it('logged no adapter errors along the way', () => {
    expect(h.logs.filter((line) => /"level":"error"/.test(line))).toEqual([]);
    expect(h.fake.callsOf('sendAnimation', 2004)).toHaveLength(0);
  });
});
