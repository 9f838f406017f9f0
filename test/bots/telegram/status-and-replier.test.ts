// The status board and the replier against the fake Bot API (real telegraf client, no bot loop): progress bursts
// coalesce into few edits, several requests in one chat share one status message (a line each), the last answer
// removes it or becomes its text, and "sending video…" is refreshed while anything is active.
import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { StatusBoards } from '../../../src/bots/telegram/status-board.ts';
import { DEFAULT_TELEGRAM_LIMITS, type TelegramLimits } from '../../../src/bots/telegram/telegram-config.ts';
import { type ChatTarget, TelegramOutbox } from '../../../src/bots/telegram/telegram-outbox.ts';
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
const text = (full: string, short = full) => ({ full, short });

function boardsWith(limits: Partial<TelegramLimits>, chatActionIntervalMs = 60_000) {
  const outbox = new TelegramOutbox({ ...DEFAULT_TELEGRAM_LIMITS, ...limits });
  return { outbox, boards: new StatusBoards({ telegram, outbox, log: silentLogger, chatActionIntervalMs }) };
}

function texts(chatId: number) {
  return fake.calls.filter((c) => c.ok && Number(c.params.chat_id) === chatId && (c.method === 'sendMessage' || c.method === 'editMessageText'));
}

describe('StatusBoard', () => {
  it('coalesces a burst of updates and ends on the final text', async () => {
    const { boards } = boardsWith({ chatIntervalMs: 600, statusIntervalMs: 600 });
    const chat = { chatId: 3001, isGroup: false };
    const line = boards.of(chat).open('smug', undefined, text('Animating 0%'));
    for (let i = 1; i <= 20; i++) line.set(text(`Animating ${i * 5}%`));
    await line.whenShown();
    line.set(text('Encoding'));
    await line.fail('Done.');
    // The acknowledgement waits a moment for company and shows the newest text; the failure overtakes "Encoding".
    expect(texts(3001).map((c) => c.params.text)).toEqual(['Animating 100%', 'Done.']);
    // The board that ended on a failure stays as that answer; the next request gets a board of its own.
    const next = boards.of(chat).open('gasp', undefined, text('Queued'));
    await next.whenShown();
    expect(texts(3001).at(-1)).toMatchObject({ method: 'sendMessage', params: { text: 'Queued' } });
    await next.close();
    expect(fake.callsOf('deleteMessage', 3001)).toHaveLength(1);
  });

  it('gives requests in one group one message with a line each, edited as they end, deleted after the last result', async () => {
    const { boards, outbox } = boardsWith({ chatIntervalMs: 100, groupStatusIntervalMs: 100, waitingIntervalMs: 100 });
    const group: ChatTarget = { chatId: -3003, isGroup: true };
    const board = boards.of(group);
    const ann = board.open('Ann · Smug grin', 11, text('Getting your photo…', 'getting the photo…'));
    const bob = board.open('Bob · Gasp', 12, text('Getting your photo…', 'getting the photo…'));
    await Promise.all([ann.whenShown(), bob.whenShown()]);
    // Both arrived together, so one message acknowledges both, replying to the first request.
    expect(texts(-3003)).toHaveLength(1);
    expect(texts(-3003)[0]!.params).toMatchObject({ text: 'Ann · Smug grin: getting the photo…\nBob · Gasp: getting the photo…', reply_parameters: { message_id: 11 } });
    const boardId = board.messageId;
    const result = (replyTo: number) =>
      outbox.toChat(group, () => telegram.sendMessage(group.chatId, `result ${replyTo}`, { reply_parameters: { message_id: replyTo } }));
    await result(11);
    await ann.close();
    await sleep(300);
    // Bob is alone now: the board shows his line only (still named: the message replies to Ann's request).
    expect(texts(-3003).at(-1)!.params).toMatchObject({ message_id: boardId, text: 'Bob · Gasp: getting the photo…' });
    expect(fake.callsOf('deleteMessage', -3003)).toHaveLength(0);
    await result(12);
    await bob.close();
    expect(fake.callsOf('deleteMessage', -3003).map((c) => Number(c.params.message_id))).toEqual([boardId]);
    expect(texts(-3003).filter((c) => c.method === 'sendMessage').map((c) => c.params.text)).toEqual(['Ann · Smug grin: getting the photo…\nBob · Gasp: getting the photo…', 'result 11', 'result 12']);
  });

  it('answers a failure in a group with a reply of its own, and removes the board after the last', async () => {
    const { boards } = boardsWith({ chatIntervalMs: 100 });
    const group: ChatTarget = { chatId: -3004, isGroup: true };
    const board = boards.of(group);
    const ann = board.open('Ann · Smug grin', 21, text('Queued', 'queued'));
    const bob = board.open('Bob · Gasp', 22, text('Queued', 'queued'));
    await bob.whenShown();
    await bob.fail('No face here.');
    const notice = texts(-3004).find((c) => c.params.text === 'No face here.')!;
    expect(notice).toMatchObject({ method: 'sendMessage', params: { reply_parameters: { message_id: 22 } } });
    await ann.fail('Cancelled.');
    expect(texts(-3004).at(-1)).toMatchObject({ method: 'sendMessage', params: { text: 'Cancelled.', reply_parameters: { message_id: 21 } } });
    expect(fake.callsOf('deleteMessage', -3004)).toHaveLength(1);
  });
});

describe('TelegramReplier', () => {
  it('refreshes the chat action while the job runs and stops when it fails', async () => {
    const { boards, outbox } = boardsWith({}, 100);
    const chat = { chatId: 3002, isGroup: false };
    const line = boards.of(chat).open('smug', undefined, text('Queued'));
    const replier = new TelegramReplier({ telegram, outbox, chat, line, newResultId: () => 'r', onSent: () => {}, log: silentLogger });
    replier.queued({ jobId: 'j', position: 2 });
    replier.progress({ jobId: 'j', stage: 'engine', fraction: 0.5 });
    await sleep(450);
    await replier.fail({ jobId: 'j', code: 'NO_FACE', text: 'No face here.' });
    const actions = fake.callsOf('sendChatAction', 3002).length;
    expect(actions).toBeGreaterThanOrEqual(3);
    expect(fake.callsOf('sendChatAction', 3002).every((c) => c.params.action === 'upload_video')).toBe(true);
    await sleep(300);
    expect(fake.callsOf('sendChatAction', 3002)).toHaveLength(actions);
    const shown = texts(3002);
    expect(shown.at(-1)!.params.text).toBe('No face here.');
    // A late progress event after the failure changes nothing.
    replier.progress({ jobId: 'j', stage: 'encode', fraction: 0.9 });
    await sleep(50);
    expect(texts(3002)).toHaveLength(shown.length);
  });
});
