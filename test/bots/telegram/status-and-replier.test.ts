// The status message and the replier against the fake Bot API (real telegraf client, no bot loop):
// progress bursts coalesce into few edits, and "sending video…" is refreshed until the job ends.
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/bots/logger.ts';
import { StatusMessage } from '../../../src/bots/telegram/status-message.ts';
import { DEFAULT_TELEGRAM_LIMITS } from '../../../src/bots/telegram/telegram-config.ts';
import { TelegramOutbox } from '../../../src/bots/telegram/telegram-outbox.ts';
import { TelegramReplier } from '../../../src/bots/telegram/telegram-replier.ts';
import { FakeTelegramServer } from '../fakes/telegram/fake-telegram-server.ts';

let fake: FakeTelegramServer;
let telegram: Telegram;

beforeAll(async () => {
  fake = await FakeTelegramServer.start();
  telegram = new Telegram(fake.token, { apiRoot: fake.apiRoot });
});
afterAll(async () => {
  await fake.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatusMessage', () => {
  it('coalesces a burst of updates and ends on the final text', async () => {
    const outbox = new TelegramOutbox({ ...DEFAULT_TELEGRAM_LIMITS, chatIntervalMs: 600 });
    const chat = { chatId: 3001, isGroup: false };
    const status = new StatusMessage(telegram, outbox, chat);
    for (let i = 0; i <= 20; i++) status.update(`Animating ${i * 5}%`);
    await sleep(50);
    status.update('Encoding');
    await status.finish('Done.');
    const texts = fake.calls.filter((c) => Number(c.params.chat_id) === 3001 && (c.method === 'sendMessage' || c.method === 'editMessageText'));
    // The first text goes at once; everything queued behind it collapses into the newest.
    expect(texts.map((c) => c.params.text)).toEqual(['Animating 0%', 'Done.']);
    expect(texts.every((c) => c.ok)).toBe(true);
    expect(texts.at(-1)!.params.text).toBe('Done.');
    // Setting the same text again costs nothing (Telegram would answer "message is not modified").
    await status.finish('Done.');
    await status.remove();
    expect(fake.callsOf('deleteMessage', 3001)).toHaveLength(1);
  });
});

describe('TelegramReplier', () => {
  it('refreshes the chat action while the job runs and stops when it fails', async () => {
    const outbox = new TelegramOutbox(DEFAULT_TELEGRAM_LIMITS);
    const chat = { chatId: 3002, isGroup: false };
    const status = new StatusMessage(telegram, outbox, chat);
    const replier = new TelegramReplier({
      telegram,
      outbox,
      status,
      chatActionIntervalMs: 100,
      progressIntervalMs: 0,
      newResultId: () => 'r',
      onSent: () => {},
      log: silentLogger,
    });
    replier.queued({ jobId: 'j', position: 2 });
    replier.progress({ jobId: 'j', stage: 'engine', fraction: 0.5 });
    await sleep(450);
    await replier.fail({ jobId: 'j', code: 'NO_FACE', text: 'No face here.' });
    const actions = fake.callsOf('sendChatAction', 3002).length;
    expect(actions).toBeGreaterThanOrEqual(3);
    expect(fake.callsOf('sendChatAction', 3002).every((c) => c.params.action === 'upload_video')).toBe(true);
    await sleep(300);
    expect(fake.callsOf('sendChatAction', 3002)).toHaveLength(actions);
    const shown = fake.calls.filter((c) => Number(c.params.chat_id) === 3002 && c.ok && /Message|Text/.test(c.method));
    expect(shown.at(-1)!.params.text).toBe('No face here.');
    // A late progress event after the failure changes nothing.
    replier.progress({ jobId: 'j', stage: 'encode', fraction: 0.9 });
    await sleep(50);
    expect(fake.calls.filter((c) => Number(c.params.chat_id) === 3002 && /Message|Text/.test(c.method)).length).toBe(shown.length);
  });
});
