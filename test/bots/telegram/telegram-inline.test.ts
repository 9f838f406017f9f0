// Telegram inline mode end to end: telegraf against the fake Bot API (inline_query, answerInlineQuery,
// chosen_inline_result, editMessageMedia by inline_message_id), the real service, queue, warp renderer and ffmpeg.
// Two bots: one with no media chat and no public URL (text results), one with a media chat (preview file_ids).
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorText } from '../../../src/bots/messages.ts';
import { decodeResultId, inlineResult, MAX_INLINE_RESULTS } from '../../../src/bots/telegram/inline-results.ts';
import { TEXTS } from '../../../src/bots/telegram/telegram-texts.ts';
import { InputError } from '../../../src/errors.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { BOT_USER } from '../fakes/telegram/fake-bot-methods.ts';
import { FakeTelegramServer, type RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { FakeUser } from '../fakes/telegram/fake-user.ts';
import { probeMedia } from '../fakes/telegram/media-probe.ts';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.ts';

type Result = Record<string, unknown> & { id: string; type: string };
const MEDIA_CHAT = -1009990001;

let photo: Buffer;
beforeAll(async () => {
  photo = await readFile(referenceImage('majicmix1.jpg'));
});

/** The bot's answer to this inline query (waits for it). */
async function answerTo(h: TelegramHarness, queryId: string): Promise<RecordedCall> {
  return h.fake.waitForCall((c) => c.method === 'answerInlineQuery' && c.params.inline_query_id === queryId);
}

function resultsOf(call: RecordedCall): Result[] {
  return call.params.results as Result[];
}

/** Sends a photo in the private chat and waits until the bot has checked it (its template picker is shown). */
async function sendPhoto(h: TelegramHarness, user: FakeUser, bytes: Buffer): Promise<void> {
  const mark = h.fake.calls.length;
  user.sendPhoto(bytes);
  await h.waitFor('sendMessage', user.id, { fromIndex: mark, match: (c) => c.params.reply_markup !== undefined });
}

function inlineEditOf(h: TelegramHarness, inlineMessageId: string, method: string): Promise<RecordedCall> {
  return h.fake.waitForCall((c) => c.ok && c.method === method && c.params.inline_message_id === inlineMessageId, { timeoutMs: 45_000 });
}

describe('Telegram inline mode, no media chat and no public URL', () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('without a photo: no results, a "Send me a photo first" button that deep-links to the private chat', async () => {
    const user = FakeUser.inPrivate(h.fake, 3001);
    const answer = await answerTo(h, user.inlineQuery('smug'));
    expect(answer.ok).toBe(true);
    expect(answer.params).toMatchObject({ results: [], cache_time: 0, is_personal: true, button: { text: TEXTS.inline.needPhoto, start_parameter: 'inline' } });
    // The button opens the private chat with `/start inline`: the bot says what to do.
    user.sendText('/start inline');
    await h.waitForText(3001, (text) => text === TEXTS.inline.started(BOT_USER.username));
  });

  it('lists the matching templates as text results with a keyboard; an empty query lists them all', async () => {
    const user = FakeUser.inPrivate(h.fake, 3002);
    await sendPhoto(h, user, photo);
    const all = resultsOf(await answerTo(h, user.inlineQuery('')));
    expect(all.map((r) => decodeResultId(r.id)?.templateId)).toEqual(h.templates.list().map((t) => t.id));
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const grin = await answerTo(h, user.inlineQuery('GRIN'));
    expect(grin.params).toMatchObject({ is_personal: true, cache_time: 10 });
    const results = resultsOf(grin);
    expect(results.map((r) => decodeResultId(r.id)?.templateId).sort()).toEqual(['smug', 'toothy-grin']);
    for (const result of results) {
      expect(result).toMatchObject({ type: 'article', input_message_content: { message_text: expect.stringMatching(/^⏳ Making/) } });
      expect(result.reply_markup).toEqual({ inline_keyboard: [[{ text: TEXTS.buttons.anotherTemplate, switch_inline_query_current_chat: '' }]] });
    }
    // A title word and a tag both match.
    expect(resultsOf(await answerTo(h, user.inlineQuery('awkward'))).map((r) => decodeResultId(r.id)?.templateId)).toEqual(['side-eye']);
  });

  let memeFileId: string;
  it('choosing a result renders it and edits the message in place with the video (uploaded via the private chat)', async () => {
    const user = FakeUser.inPrivate(h.fake, 3002);
    const queryId = user.inlineQuery('smug');
    const smug = resultsOf(await answerTo(h, queryId)).find((r) => decodeResultId(r.id)?.templateId === 'smug')!;
    const rendersBefore = h.rendered.length;
    const chosen = user.chooseInlineResult(queryId, smug.id);
    expect(chosen.inlineMessageId).toBeDefined();
    expect(chosen.message).toMatchObject({ kind: 'text', text: TEXTS.inline.making('Smug grin') });

    const edit = await inlineEditOf(h, chosen.inlineMessageId!, 'editMessageMedia');
    const upload = h.fake.calls.find((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === 3002 && c.files.animation)!;
    expect(upload.params.disable_notification).toBe('true');
    expect(upload.probes.animation).toMatchObject({ videoCodec: 'h264', hasAudio: false });
    memeFileId = (upload.result as { animation: { file_id: string } }).animation.file_id;
    // No file travels with the inline edit: it names the uploaded file by its file_id.
    expect(Object.keys(edit.files)).toEqual([]);
    expect(edit.params.media).toEqual({ type: 'animation', media: memeFileId });
    expect(h.rendered.slice(rendersBefore)).toMatchObject([{ templateId: 'smug', format: 'mp4' }]);
    // The upload is removed from the private chat again; the inline message keeps the file.
    await h.waitFor('deleteMessage', 3002, { match: (c) => Number(c.params.message_id) === (upload.result as { message_id: number }).message_id });
    const message = h.fake.state.inlineMessages.get(chosen.inlineMessageId!)!;
    expect(message).toMatchObject({ kind: 'animation', fileId: memeFileId });
    const probe = await probeMedia(h.fake.state.files.get(memeFileId)!.bytes);
    expect(probe).toMatchObject({ container: expect.stringContaining('mp4'), videoCodec: 'h264', hasAudio: false });
    expect(probe.durationSec).toBeGreaterThan(1);
  });

  it('a meme already made is listed by its file_id and sent as it is, without a render', async () => {
    const user = FakeUser.inPrivate(h.fake, 3002);
    const queryId = user.inlineQuery('smug');
    const smug = resultsOf(await answerTo(h, queryId)).find((r) => decodeResultId(r.id)?.templateId === 'smug')!;
    expect(smug).toEqual({ type: 'mpeg4_gif', id: smug.id, mpeg4_file_id: memeFileId, title: 'Smug grin' });
    const rendersBefore = h.rendered.length;
    const mark = h.fake.calls.length;
    const chosen = user.chooseInlineResult(queryId, smug.id);
    expect(chosen.inlineMessageId).toBeUndefined();
    expect(chosen.message).toMatchObject({ kind: 'animation', fileId: memeFileId });
    // The chosen_inline_result is taken and nothing follows: wait for a later update's answer to be sure.
    await answerTo(h, user.inlineQuery('nice'));
    expect(h.rendered.length).toBe(rendersBefore);
    expect(h.fake.calls.slice(mark).filter((c) => c.method.startsWith('edit') || c.method === 'sendAnimation')).toEqual([]);
  });

  it('a photo that cannot be animated ends as a short note on the inline message', async () => {
    const user = FakeUser.inPrivate(h.fake, 3003);
    const gradient = Buffer.alloc(256 * 256 * 3);
    for (let i = 0; i < 256 * 256; i++) gradient.fill((i % 256) * 0.5 + 40, i * 3, i * 3 + 3);
    // A bare photo without a face gets its NO_FACE reply at once, and is still this user's latest photo.
    user.sendPhoto(await sharp(gradient, { raw: { width: 256, height: 256, channels: 3 } }).jpeg().toBuffer());
    const noFace = errorText(new InputError('NO_FACE')).text;
    await h.waitForText(3003, (text) => text === noFace);
    const queryId = user.inlineQuery('nod');
    const result = resultsOf(await answerTo(h, queryId))[0]!;
    const chosen = user.chooseInlineResult(queryId, result.id);
    const note = await inlineEditOf(h, chosen.inlineMessageId!, 'editMessageText');
    expect(note.params.text).toBe(noFace);
    expect(h.fake.state.inlineMessages.get(chosen.inlineMessageId!)).toMatchObject({ kind: 'text', text: noFace });
  });

  it('logged no adapter errors', () => {
    expect(h.logs.filter((line) => /"level":"error"/.test(line))).toEqual([]);
  });
});

describe('Telegram inline mode with a media chat', () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness({ limits: { chatIntervalMs: 100 }, chatActionIntervalMs: 500, mediaChatId: MEDIA_CHAT });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows each template by its preview file_id and swaps the render in through the media chat', async () => {
    const templates = h.templates.list();
    // The bot uploads every preview once, as an H.264 MP4, to the media chat.
    await h.fake.waitForCall(() => h.fake.callsOf('sendAnimation', MEDIA_CHAT).filter((c) => c.ok).length === templates.length, { timeoutMs: 45_000 });
    const previews = h.fake.callsOf('sendAnimation', MEDIA_CHAT);
    for (const preview of previews) expect(preview.probes.animation).toMatchObject({ videoCodec: 'h264', hasAudio: false });
    const previewIds = new Map(previews.map((c) => [String(c.params.caption), (c.result as { animation: { file_id: string } }).animation.file_id]));

    const user = FakeUser.inPrivate(h.fake, 3101);
    await sendPhoto(h, user, await readFile(referenceImage('show1.jpg')));
    const queryId = user.inlineQuery('');
    const results = resultsOf(await answerTo(h, queryId));
    expect(results).toHaveLength(templates.length);
    for (const result of results) {
      const templateId = decodeResultId(result.id)!.templateId;
      expect(result).toMatchObject({ type: 'mpeg4_gif', mpeg4_file_id: previewIds.get(templateId), caption: expect.stringMatching(/^⏳ Making/) });
    }
    const gasp = results.find((r) => decodeResultId(r.id)?.templateId === 'gasp')!;
    const chosen = user.chooseInlineResult(queryId, gasp.id);
    expect(chosen.message).toMatchObject({ kind: 'animation', fileId: previewIds.get('gasp') });
    const mark = h.fake.calls.length;
    const edit = await inlineEditOf(h, chosen.inlineMessageId!, 'editMessageMedia');
    const upload = h.fake.calls.slice(mark).find((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === MEDIA_CHAT)!;
    const fileId = (upload.result as { animation: { file_id: string } }).animation.file_id;
    expect(edit.params.media).toEqual({ type: 'animation', media: fileId });
    expect(h.fake.state.inlineMessages.get(chosen.inlineMessageId!)).toMatchObject({ kind: 'animation', fileId, caption: undefined });
    // Uploads to the media chat stay (nothing of the user's own chat is touched).
    expect(h.fake.calls.some((c) => c.method === 'deleteMessage' && Number(c.params.chat_id) === MEDIA_CHAT)).toBe(false);
    expect(h.fake.callsOf('sendAnimation', 3101)).toEqual([]);
  });
});

describe('inline results and the fake Bot API checks', () => {
  it('builds a GIF-by-URL result when only a public preview URL is configured', () => {
    const template = { id: 'smug', title: 'Smug grin', tags: ['smug'] } as Parameters<typeof inlineResult>[0]['template'];
    const url = 'https://memes.example.org/templates/smug/preview.gif';
    const result = inlineResult({ template, photoKey: 'abcdefghijk', preview: { url, thumbnailUrl: url } });
    expect(result).toMatchObject({ type: 'gif', gif_url: url, thumbnail_url: url, thumbnail_mime_type: 'image/gif', reply_markup: { inline_keyboard: [[{ switch_inline_query_current_chat: '' }]] } });
    expect(Buffer.byteLength(result.id)).toBeLessThanOrEqual(64);
    expect(MAX_INLINE_RESULTS).toBe(50);
  });

  it('refuses more than 50 results, duplicate or over-long ids, and file uploads in inline edits', async () => {
    const h = await startFakeOnly();
    try {
      const user = FakeUser.inPrivate(h.fake, 1);
      const article = (id: string) => ({ type: 'article', id, title: 't', input_message_content: { message_text: 'x' } });
      const answer = (results: unknown[]) => h.call('answerInlineQuery', { inline_query_id: user.inlineQuery('q'), results });
      expect(await answer(Array.from({ length: 51 }, (_, i) => article(`r${i}`)))).toMatchObject({ ok: false, description: 'Bad Request: RESULTS_TOO_MUCH' });
      expect(await answer([article('a'), article('a')])).toMatchObject({ ok: false, description: 'Bad Request: RESULT_ID_DUPLICATE' });
      expect(await answer([article('x'.repeat(65))])).toMatchObject({ ok: false, description: 'Bad Request: RESULT_ID_INVALID' });
      const keyboard = { inline_keyboard: [[{ text: 'b', switch_inline_query_current_chat: '' }]] };
      const queryId = user.inlineQuery('q');
      expect(await h.call('answerInlineQuery', { inline_query_id: queryId, results: [{ ...article('ok'), reply_markup: keyboard }] })).toMatchObject({ ok: true });
      const chosen = user.chooseInlineResult(queryId, 'ok');
      const form = new FormData();
      form.set('inline_message_id', chosen.inlineMessageId!);
      form.set('media', JSON.stringify({ type: 'animation', media: 'attach://clip' }));
      form.set('clip', new Blob([Buffer.from('not uploaded')]), 'clip.mp4');
      expect(await h.call('editMessageMedia', form)).toMatchObject({ ok: false, description: expect.stringMatching(/can't be uploaded/) });
    } finally {
      await h.fake.close();
    }
  });
});

async function startFakeOnly() {
  const fake = await FakeTelegramServer.start({ maxPollHoldMs: 100 });
  return {
    fake,
    async call(method: string, body: Record<string, unknown> | FormData): Promise<Record<string, unknown>> {
      const init = body instanceof FormData ? { body } : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
      const res = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, { method: 'POST', ...init });
      return (await res.json()) as Record<string, unknown>;
    },
  };
}
