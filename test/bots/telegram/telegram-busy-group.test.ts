// A busy group, end to end (telegraf against the fake Bot API, the real service, queue and warp renderer), with a
// group budget small enough to matter: one person's four photos and another's one, sent at once. One status
// message acknowledges them all at once (a line each) and is edited, never re-sent; the first person's second and
// third wait in line and come in the order sent, the fourth is refused with the cap named; the other person's
// first is not held up behind the burst; and the chat never gets two messages closer than its interval or more
// than its window allows.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImage } from '../../helpers/fixtures.ts';
import type { RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';
import { FakeUser } from '../fakes/telegram/fake-user.ts';
import { type TelegramHarness, startTelegramHarness } from './telegram-harness.ts';

const CHAT_INTERVAL_MS = 300;
const WINDOW = { ms: 6000, max: 8 };
const MESSAGE_METHODS = new Set(['sendMessage', 'editMessageText', 'sendAnimation']);
let h: TelegramHarness;

beforeAll(async () => {
  h = await startTelegramHarness({
    limits: { chatIntervalMs: CHAT_INTERVAL_MS, groupWindowMs: WINDOW.ms, groupMaxPerWindow: WINDOW.max, groupStatusIntervalMs: 600 },
  });
});
afterAll(async () => {
  await h?.close();
});

const replyTo = (call: RecordedCall) => (call.params.reply_parameters as { message_id?: number } | undefined)?.message_id;

describe('a busy Telegram group', () => {
  it('queues, acknowledges in one message, keeps order and fairness, and keeps to the flood limits', async () => {
    const groupId = -100_800;
    const ann = FakeUser.inGroup(h.fake, 4001, groupId);
    const bob = FakeUser.inGroup(h.fake, 4002, groupId);
    const photo = await readFile(referenceImage('majicmix1.jpg'));
    const other = await readFile(referenceImage('show1.jpg'));
    const templates = ['smug', 'gasp', 'nice', 'pout'];
    const sentAtMs = Date.now();
    const anns = templates.map((t) => ann.sendPhoto(photo, { caption: `/meme ${t}` }));
    const bobs = bob.sendPhoto(other, { caption: '/meme side-eye' });

    // Ann's fourth is refused at once, with the cap in the words.
    const refusal = await h.waitFor('sendMessage', groupId, { match: (c) => /3 memes on the way/.test(String(c.params.text)) });
    expect(replyTo(refusal)).toBe(anns[3]!.message_id);

    const results = await Promise.all([...anns.slice(0, 3), bobs].map((m) => h.waitFor('sendAnimation', groupId, { timeoutMs: 90_000, match: (c) => replyTo(c) === m.message_id })));
    const [a1, a2, a3, b1] = results.map((c) => c.atMs);
    expect(a1! < a2! && a2! < a3!).toBe(true);
    // Bob came after Ann's burst and still went before her second.
    expect(b1!).toBeLessThan(a2!);
    await h.waitFor('deleteMessage', groupId);

    const calls = h.fake.calls.filter((c) => c.ok && Number(c.params.chat_id) === groupId && MESSAGE_METHODS.has(c.method));
    const statuses = calls.filter((c) => c.method === 'sendMessage' && c !== refusal);
    // One status message for all five, sent within a second and naming each request on a line of its own.
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.atMs - sentAtMs).toBeLessThan(1000);
    const lines = String(statuses[0]!.params.text).split('\n');
    for (const title of ['Smug grin', 'Awkward glance']) expect(lines.some((l) => l.includes(title))).toBe(true);
    expect(lines.filter((l) => l.startsWith('User4001 · ')).length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.startsWith('User4002 · '))).toBe(true);
    // Edited as the requests moved, and the board was the only status.
    expect(calls.filter((c) => c.method === 'editMessageText').every((c) => Number(c.params.message_id) === (statuses[0]!.result as { message_id: number }).message_id)).toBe(true);
    // Flood limits at every moment: the interval between any two messages, the window over any span.
    const times = calls.map((c) => c.atMs).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(CHAT_INTERVAL_MS);
    for (let i = WINDOW.max; i < times.length; i++) expect(times[i]! - times[i - WINDOW.max]!).toBeGreaterThanOrEqual(WINDOW.ms);
  }, 120_000);
});
