// telegraf for real against the fake Bot API, with the real service: start-up, commands, limits, errors,
// webhook. Flows that render live in telegram-render.test.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { startTelegram } from '../../../src/bots/telegram/start-telegram.ts';
import { BOT_COMMANDS, HELP_TEXT, TEXTS } from '../../../src/bots/telegram/telegram-texts.ts';
import { loadConfig } from '../../../src/config.ts';
import { startMemeloom } from '../../../src/main.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { FakeTelegramServer } from '../fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../fakes/telegram/fake-user.ts';
import { type TelegramHarness, startTelegramHarness } from './telegram-harness.ts';

const MB = 1024 * 1024;
let h: TelegramHarness;
let photo: Buffer;

beforeAll(async () => {
  // Small windows so the group cap shows within a test: 2 messages per 1.5 s per group.
  h = await startTelegramHarness({ limits: { groupWindowMs: 1500, groupMaxPerWindow: 2, chatIntervalMs: 100 } });
  photo = await readFile(referenceImage('majicmix1.jpg'));
});

afterAll(async () => {
  await h?.close();
});

describe('Telegram adapter basics', () => {
  it('registers its command list and starts long polling', async () => {
    const commands = h.fake.callsOf('setMyCommands');
    expect(commands).toHaveLength(1);
    expect(commands[0]!.params.commands).toEqual(BOT_COMMANDS.map((c) => ({ ...c })));
    expect(h.fake.callsOf('deleteWebhook')).toHaveLength(1);
    const user = FakeUser.inPrivate(h.fake, 1001);
    user.sendText('/help');
    const reply = await h.waitFor('sendMessage', 1001);
    expect(reply.params.text).toBe(HELP_TEXT);
  });

  it('lists templates and pages the picker', async () => {
    const user = FakeUser.inPrivate(h.fake, 1002);
    user.sendText('/templates');
    const list = await h.waitFor('sendMessage', 1002);
    for (const t of h.templates.list()) expect(String(list.params.text)).toContain(t.id);

    const mark = h.fake.calls.length;
    user.sendPhoto(photo);
    const picker = await h.waitFor('sendMessage', 1002, { fromIndex: mark });
    const buttons = buttonsOf(picker.params.reply_markup);
    expect(buttons.filter((b) => b.data.startsWith('t|')).length).toBeGreaterThan(0);
    const next = buttons.find((b) => b.data.startsWith('p|'));
    expect(next).toBeDefined();
    const tapId = user.tap(picker.result as Record<string, unknown>, next!.data);
    const edited = await h.waitFor('editMessageText', 1002, { fromIndex: mark });
    expect(edited.params.text).toMatch(/page 2\//);
    const firstPage = buttons.filter((b) => b.data.startsWith('t|')).map((b) => b.data);
    const secondPage = buttonsOf(edited.params.reply_markup).filter((b) => b.data.startsWith('t|')).map((b) => b.data);
    expect(secondPage.some((d) => firstPage.includes(d))).toBe(false);
    await h.fake.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === tapId);
    // A button from before a restart (or a picker already used) is answered with an alert, not silence.
    const staleId = user.tap(picker.result as Record<string, unknown>, 't|gone1234|smug');
    const stale = await h.fake.waitForCall((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === staleId);
    expect(stale.params).toMatchObject({ text: TEXTS.expired, show_alert: true });
  });

  it('answers a photo over 20 MB with a clear message and never downloads it', async () => {
    const user = FakeUser.inPrivate(h.fake, 1003);
    const start = h.fake.calls.length;
    const downloadsBefore = h.fake.downloads.length;
    // Size known from the update: refused before getFile.
    user.sendPhoto(photo, { caption: '/meme smug', reportedSize: 25 * MB });
    const first = await h.waitForText(1003, (text) => /too big/i.test(text));
    expect(first.params.text).toMatch(/20(\.0)? MB|20 MiB/);
    expect(h.fake.calls.slice(start).some((c) => c.method === 'getFile')).toBe(false);
    // Size unknown in the update: getFile refuses it ("file is too big"), same message.
    const mark = h.fake.calls.length;
    const big = user.sendPhoto(photo, { caption: '/meme smug', reportedSize: 25 * MB, sizeInUpdate: false });
    await h.waitForText(1003, (text) => /too big/i.test(text), { fromIndex: mark });
    const bigFileId = (big.photo as Array<{ file_id: string }>)[0]!.file_id;
    expect(h.fake.calls.some((c) => c.method === 'getFile' && c.params.file_id === bigFileId && c.errorCode === 400)).toBe(true);
    expect(h.fake.downloads).toHaveLength(downloadsBefore);
    expect(h.fake.callsOf('sendAnimation', 1003)).toHaveLength(0);
  });

  it('retries a call refused with 429 after retry_after', async () => {
    const user = FakeUser.inPrivate(h.fake, 1004);
    h.fake.failNext('sendMessage', { errorCode: 429, description: 'Too Many Requests: retry after 1', retryAfterSec: 1 });
    user.sendText('/start');
    const sent = await h.waitFor('sendMessage', 1004);
    const refused = h.fake.calls.find((c) => c.method === 'sendMessage' && c.errorCode === 429 && Number(c.params.chat_id) === 1004);
    expect(refused).toBeDefined();
    expect(sent.atMs - refused!.atMs).toBeGreaterThanOrEqual(950);
  });

  it('throttles a group to its per-window cap while private chats go on', async () => {
    const groupId = -100500;
    const alice = FakeUser.inGroup(h.fake, 1005, groupId);
    const mark = h.fake.calls.length;
    for (let i = 0; i < 5; i++) alice.sendText('/help@memeloom_test_bot');
    // Addressed to another bot: not ours.
    alice.sendText('/help@some_other_bot');
    const privateUser = FakeUser.inPrivate(h.fake, 1006);
    privateUser.sendText('/help');
    await h.waitFor('sendMessage', 1006, { fromIndex: mark, timeoutMs: 2000 });
    const fifth = await h.fake.waitForCall(() => h.fake.callsOf('sendMessage', groupId).filter((c) => c.ok).length >= 5, { fromIndex: mark });
    const times = h.fake.callsOf('sendMessage', groupId).filter((c) => c.ok).map((c) => c.atMs);
    expect(times).toHaveLength(5);
    // At most 2 in any 1.5 s window (slack for HTTP timing on a loaded machine; unthrottled they would be ~100 ms apart).
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 2]!).toBeGreaterThanOrEqual(1300);
    expect(fifth).toBeDefined();
    // Replies in a group thread to the command.
    expect(h.fake.callsOf('sendMessage', groupId)[0]!.params.reply_parameters).toMatchObject({ allow_sending_without_reply: true });
  });

  it('ignores bare photos in groups and unknown templates get the picker', async () => {
    const groupId = -100600;
    const bob = FakeUser.inGroup(h.fake, 1007, groupId);
    const mark = h.fake.calls.length;
    bob.sendPhoto(photo);
    bob.sendPhoto(photo, { caption: '/meme no-such-template' });
    const picker = await h.waitFor('sendMessage', groupId, { fromIndex: mark, match: (c) => c.params.reply_markup !== undefined });
    const texts = h.textsIn(groupId);
    expect(texts[0]).toMatch(/no-such-template/);
    expect(buttonsOf(picker.params.reply_markup).some((b) => b.data.startsWith('t|'))).toBe(true);
    expect(h.fake.callsOf('sendMessage', groupId)).toHaveLength(2);
  });
});

describe('npm start path', () => {
  it('startMemeloom with TELEGRAM_BOT_TOKEN set starts the bot polling (only the API root differs)', async () => {
    const fake = await FakeTelegramServer.start({ maxPollHoldMs: 1000 });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'memeloom-telegram-main-'));
    const config = loadConfig({
      MEMELOOM_DATA_DIR: dataDir,
      MEMELOOM_WEB: 'false',
      MEMELOOM_GPU_DEVICES: '0',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
    });
    // The renderer and catalog are shared with the harness; everything else is built by main.ts.
    const app = await startMemeloom(config, { templates: h.templates, renderer: h.renderer, logger: silentLogger });
    try {
      expect(fake.callsOf('setMyCommands')).toHaveLength(1);
      FakeUser.inPrivate(fake, 1020).sendText('/help');
      const reply = await fake.waitForCall((c) => c.ok && c.method === 'sendMessage' && Number(c.params.chat_id) === 1020, { timeoutMs: 5000 });
      expect(reply.params.text).toBe(HELP_TEXT);
    } finally {
      await app.stop();
      await fake.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Telegram webhook mode', () => {
  it('sets the webhook with its secret and refuses updates without the secret header', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    const mark = h.fake.calls.length;
    // A second bot on the same fake and service: only the receiving side differs.
    const bot = await startTelegram({ token: h.fake.token, apiRoot: h.fake.apiRoot, webhookUrl: url, webhookSecret: 's3cret_token', webhookPort: port }, h.service, h.templates, { logger: h.logger });
    try {
      const setWebhook = await h.fake.waitForCall((c) => c.method === 'setWebhook', { fromIndex: mark });
      expect(setWebhook.params).toMatchObject({ url, secret_token: 's3cret_token' });
      const update = { update_id: 9001, message: { message_id: 1, date: 0, chat: { id: 1010, type: 'private' }, from: { id: 1010, is_bot: false, first_name: 'W' }, text: '/help', entities: [{ type: 'bot_command', offset: 0, length: 5 }] } };
      const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(update) });
      expect((await post({})).status).toBe(403);
      expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(403);
      expect(h.fake.callsOf('sendMessage', 1010)).toHaveLength(0);
      expect((await post({ 'x-telegram-bot-api-secret-token': 's3cret_token' })).status).toBe(200);
      const reply = await h.waitFor('sendMessage', 1010);
      expect(reply.params.text).toBe(HELP_TEXT);
    } finally {
      await bot.stop();
    }
  });
});
