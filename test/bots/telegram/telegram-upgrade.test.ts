// A preview that upgrades itself, on Telegram, end to end: telegraf against the fake Bot API, the real service and
// embedded queue, the warp engine for the preview and the tiny HelloMeme (the project's own random weights) for the
// HD version. The preview comes first, marked, with "Keep this one"; its caption follows the HD job; the same
// message then gets the HelloMeme animation through editMessageMedia. "Keep this one" and a failed HD render leave
// the preview with a note.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultButtons } from '../../../src/bots/telegram/inline-keyboards.ts';
import { TEXTS } from '../../../src/bots/telegram/telegram-texts.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { tinyHelloMemeRenderer } from '../../helpers/tiny-hellomeme.ts';
import type { RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.ts';

const GROUP = -100_777;
/** The buttons under every result: what a preview's "Keep this one" gives way to. */
const RESULT_BUTTONS = resultButtons('x').inline_keyboard.flat().map((b) => b.callback_data.split('|')[0]);
/** HelloMeme is available: auto takes it, and the GPU lane exists next to the CPU lane. */
const WITH_HELLOMEME = { MEMELOOM_ENGINE: 'auto', MEMELOOM_GPU_DEVICES: '1', MEMELOOM_CPU_CONCURRENCY: '1' };

const messageIdOf = (call: RecordedCall) => (call.result as { message_id: number }).message_id;
const isPreview = (c: RecordedCall, chatId: number) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === chatId && /^HD version on the way/.test(String(c.params.caption));
const onMessage = (c: RecordedCall, method: string, messageId: number) => c.ok && c.method === method && Number(c.params.message_id) === messageId;

describe('Telegram: a preview that upgrades itself', () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    // A group's 20 messages a minute, in a quarter of the time: the caption edits of two HD jobs must leave room
    // for the results (the upgrade, the kept note) as on Telegram, without making the test wait a minute.
    const limits = { chatIntervalMs: 100, groupWindowMs: 15_000, groupStatusIntervalMs: 750 };
    h = await startTelegramHarness({ limits, chatActionIntervalMs: 500 }, WITH_HELLOMEME, await tinyHelloMemeRenderer());
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('sends the warp preview first, follows the HD job in its caption, then replaces it in place with the HelloMeme animation', async () => {
    const alice = FakeUser.inGroup(h.fake, 3101, GROUP);
    const bob = FakeUser.inGroup(h.fake, 3102, GROUP);
    alice.sendPhoto(await readFile(referenceImage('majicmix1.jpg')), { caption: '/meme nod-along' });
    const preview = await h.fake.waitForCall((c) => isPreview(c, GROUP), { timeoutMs: 60_000 });
    const previewId = messageIdOf(preview);
    expect(preview.probes.animation).toMatchObject({ videoCodec: 'h264', hasAudio: false });
    const keep = buttonsOf(preview.params.reply_markup);
    expect(keep).toHaveLength(1);
    expect(keep[0]).toMatchObject({ text: TEXTS.buttons.keepThisOne });
    expect(keep[0]!.data).toMatch(/^kp\|/);

    // Only the requester may keep it.
    bob.tap(preview.result as Record<string, unknown>, keep[0]!.data);
    const refused = await h.fake.waitForCall((c) => c.ok && c.method === 'answerCallbackQuery' && c.params.text === TEXTS.notYourPreview);
    expect(refused.params.show_alert).toBe(true);

    // A second request while the HD render runs: its preview does not wait behind it (CPU lane vs GPU lane).
    bob.sendPhoto(await readFile(referenceImage('show1.jpg')), { caption: '/meme smug' });
    const bobPreview = await h.fake.waitForCall((c) => isPreview(c, GROUP) && messageIdOf(c) !== previewId, { timeoutMs: 60_000 });
    expect(h.fake.calls.some((c) => onMessage(c, 'editMessageMedia', previewId))).toBe(false);
    // Bob's preview follows his HD job (in line behind Alice's, or rendering); then he keeps his preview.
    const bobId = messageIdOf(bobPreview);
    await h.fake.waitForCall((c) => onMessage(c, 'editMessageCaption', bobId) && /^HD version on the way… (number \d+ in line|\d+% done)/.test(String(c.params.caption)), { timeoutMs: 30_000 });
    bob.tap(bobPreview.result as Record<string, unknown>, buttonsOf(bobPreview.params.reply_markup)[0]!.data);
    const kept = await h.fake.waitForCall((c) => onMessage(c, 'editMessageCaption', bobId) && c.params.caption === 'Kept the preview.', { timeoutMs: 30_000 });
    expect(buttonsOf(kept.params.reply_markup).map((b) => b.data.split('|')[0])).toEqual(RESULT_BUTTONS);

    // Alice's caption followed her HD render (edits of the same message), then the animation was replaced.
    const upgraded = await h.fake.waitForCall((c) => onMessage(c, 'editMessageMedia', previewId), { timeoutMs: 120_000 });
    const captions = h.fake.calls.filter((c) => onMessage(c, 'editMessageCaption', previewId)).map((c) => String(c.params.caption));
    expect(captions.some((c) => /^HD version on the way… \d+% done/.test(c))).toBe(true);
    const media = upgraded.params.media as { type: string; media: string; caption?: string };
    expect(media.type).toBe('animation');
    expect(media.media).toMatch(/^attach:\/\//);
    expect(media.caption).toBeUndefined();
    expect(upgraded.probes.media).toMatchObject({ videoCodec: 'h264', hasAudio: false });
    expect(buttonsOf(upgraded.params.reply_markup).map((b) => b.data.split('|')[0])).toEqual(RESULT_BUTTONS);
    // The bytes: the preview is warp's render, the replacement HelloMeme's, and they differ.
    const hdBytes = upgraded.files[media.media.slice('attach://'.length)]!.bytes;
    const warp = h.results.find((r) => r.engine === 'warp' && r.bytes.equals(preview.files.animation!.bytes));
    const hd = h.results.find((r) => r.engine === 'hellomeme' && r.bytes.equals(hdBytes));
    expect(warp).toBeDefined();
    expect(hd).toBeDefined();
    expect(hdBytes.equals(preview.files.animation!.bytes)).toBe(false);
    // One request, two jobs queued together, the HD job first: each started once.
    expect(h.rendered.filter((s) => s.templateId === 'nod-along').map((s) => s.engine)).toEqual(['hellomeme', 'warp']);

    // The preview and its upgrade cost one message: no other animation, and no status message about the HD job.
    const sentInGroup = h.fake.calls.filter((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === GROUP);
    expect(sentInGroup.map(messageIdOf)).toEqual([previewId, bobId]);
    const previewIndex = h.fake.calls.indexOf(preview);
    const statusTexts = h.fake.calls.slice(previewIndex).filter((c) => c.ok && c.method === 'sendMessage' && Number(c.params.chat_id) === GROUP);
    expect(statusTexts.filter((c) => /HD/.test(String(c.params.text)))).toEqual([]);
    // Bob's HD stage was stopped: his preview was never replaced.
    expect(h.fake.calls.some((c) => onMessage(c, 'editMessageMedia', bobId))).toBe(false);
  }, 240_000);

  it('an identical request later gets the HD version at once, by its file_id, with no preview', async () => {
    const upgraded = h.fake.calls.find((c) => c.ok && c.method === 'editMessageMedia')!;
    const hdFileId = (upgraded.result as { animation: { file_id: string } }).animation.file_id;
    const carol = FakeUser.inGroup(h.fake, 3103, GROUP);
    const mark = h.fake.calls.length;
    carol.sendPhoto(await readFile(referenceImage('majicmix1.jpg')), { caption: '/meme nod-along' });
    const direct = await h.fake.waitForCall((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === GROUP, { fromIndex: mark, timeoutMs: 60_000 });
    expect(direct.params.animation).toBe(hdFileId);
    expect(direct.params.caption).toBeUndefined();
  }, 120_000);
});

describe('Telegram: an HD render that fails leaves the preview', () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    // A HelloMeme timeout shorter than the tiny render: the HD stage fails with TIMEOUT on every request.
    h = await startTelegramHarness({ limits: { chatIntervalMs: 100 } }, { ...WITH_HELLOMEME, MEMELOOM_HELLOMEME_TIMEOUT_MS: '1000' }, await tinyHelloMemeRenderer());
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('keeps the preview with "HD version failed: <reason>" and the result buttons', async () => {
    const dan = FakeUser.inPrivate(h.fake, 3201);
    dan.sendPhoto(await readFile(referenceImage('show4.jpg')), { caption: '/meme nod-along' });
    const preview = await h.fake.waitForCall((c) => isPreview(c, dan.id), { timeoutMs: 60_000 });
    const previewId = messageIdOf(preview);
    const note = await h.fake.waitForCall((c) => onMessage(c, 'editMessageCaption', previewId) && /^HD version failed: /.test(String(c.params.caption)), { timeoutMs: 60_000 });
    expect(note.params.caption).toBe('HD version failed: That took too long, so I stopped it. This is the preview.');
    expect(buttonsOf(note.params.reply_markup).map((b) => b.data.split('|')[0])).toEqual(RESULT_BUTTONS);
    expect(h.fake.calls.some((c) => c.method === 'editMessageMedia')).toBe(false);
    // Nothing lost: the preview is still the one message with the meme in it, and "As GIF file" works on it (warp).
    const mark = h.fake.calls.length;
    dan.tap({ ...(preview.result as Record<string, unknown>), reply_markup: note.params.reply_markup }, buttonsOf(note.params.reply_markup).find((b) => b.data.startsWith('gf|'))!.data);
    await h.fake.waitForCall((c) => c.ok && c.method === 'sendDocument' && Number(c.params.chat_id) === dan.id, { fromIndex: mark, timeoutMs: 60_000 });
    expect(h.rendered.at(-1)).toMatchObject({ format: 'gif', engine: 'warp' });
  }, 180_000);
});
