// Chat adapters across a bot restart over a real redis-server: the bot process (the real composition root with
// the Telegram or Discord adapter on a local fake platform) is SIGKILLed with a job pending; the restarted
// process re-attaches through the adapter's stored route and answers in the right chat exactly once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeDiscord } from '../../bots/fakes/discord/fake-discord.ts';
import { attachment, buttonPress, CHANNEL_ID, chatInput, componentIds, type FakeUser as DiscordUser } from '../../bots/fakes/discord/interaction-payloads.ts';
import { FakeTelegramServer } from '../../bots/fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../../bots/fakes/telegram/fake-user.ts';
import { PHOTOS, scenarioEnv, startBot, startFakeWorker } from './processes.ts';
import { ready, sleep, useRedisScenario } from './redis-scenario.ts';

const PHOTO = readFileSync(path.join(PHOTOS, 'chillout.jpg'));
const { redis, closers, track } = useRedisScenario();
const ATTACHMENT = 11;
const STRING = 3;
const ALICE: DiscordUser = { id: '1400000000000000001', username: 'alice', avatar: null };
const BOB: DiscordUser = { id: '1400000000000000002', username: 'bob', avatar: null };

function memeCommand(fake: FakeDiscord, user: DiscordUser) {
  const url = fake.addCdnFile(`/attachments/${CHANNEL_ID}/${fake.state.snowflake()}/chillout.jpg`, PHOTO, 'image/jpeg');
  const photo = attachment(url, 'chillout.jpg', PHOTO.length, 'image/jpeg');
  const options = [{ name: 'photo', type: ATTACHMENT, value: photo.id }, { name: 'template', type: STRING, value: 'nod-along' }];
  return fake.dispatchInteraction(chatInput('meme', options, { attachments: { [photo.id]: photo } }, { user }));
}

/**
 * Long enough that the kill below always lands while the job is still rendering, even on a loaded machine:
 * a job finished before the kill may be delivered by both processes, which is allowed, not what is tested.
 */
const RENDER_MS = 8000;

describe('QUEUE_BACKEND=redis: chat jobs survive a bot restart', () => {
  it('Telegram: the restarted bot sends the animation with its buttons to the right chat, once, and removes the status', async () => {
    const fake = await FakeTelegramServer.start({ maxPollHoldMs: 500 });
    closers.push(() => fake.close());
    const env = scenarioEnv(redis.url, 'tg-restart', { MEMELOOM_INSTANCE_ID: 'bot-tg', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    const worker = track(startFakeWorker(env, RENDER_MS, 't1'));
    const first = track(startBot(env));
    await Promise.all([ready(first, 'bot'), ready(worker, 'worker')]);
    const alice = FakeUser.inPrivate(fake, 501);
    const bystander = FakeUser.inPrivate(fake, 502);
    const photo = alice.sendPhoto(PHOTO, { caption: '/meme nod-along' });
    // The job is in Redis and running on the worker: the status message shows its progress.
    const status = await fake.waitForCall((c) => c.ok && c.method === 'editMessageText' && Number(c.params.chat_id) === alice.id && /%/.test(String(c.params.text)), { timeoutMs: 15_000 });
    await first.kill('SIGKILL');
    expect(fake.callsOf('sendAnimation')).toHaveLength(0);

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const sent = await fake.waitForCall((c) => c.ok && c.method === 'sendAnimation', { timeoutMs: 20_000 });
    expect(Number(sent.params.chat_id)).toBe(alice.id);
    expect(sent.probes.animation).toMatchObject({ videoCodec: 'h264' });
    expect((sent.params.reply_parameters as { message_id: number }).message_id).toBe(photo.message_id);
    const buttons = buttonsOf(sent.params.reply_markup);
    expect(buttons.length).toBeGreaterThan(0);
    // The stale status message of the killed process is deleted once the result is in the chat.
    const statusId = Number(status.params.message_id);
    await fake.waitForCall((c) => c.ok && c.method === 'deleteMessage' && Number(c.params.message_id) === statusId, { timeoutMs: 5000 });
    expect(second.stderr).toMatch(/re-attached to jobs pending from before the restart/);
    await sleep(1500);
    expect(fake.callsOf('sendAnimation')).toHaveLength(1);
    expect(fake.callsOf('sendAnimation', bystander.id)).toHaveLength(0);
    // Nothing was submitted again: one render on the worker.
    expect(worker.events('rendered')).toHaveLength(1);
    // The restarted process knows the result it sent: "Another take" renders again instead of answering "expired".
    const callsBefore = fake.calls.length;
    alice.tap(sent.result as Record<string, unknown>, buttons[0]!.data);
    await fake.waitForCall((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === alice.id, { fromIndex: callsBefore, timeoutMs: 20_000 });
    expect(worker.events('rendered')).toHaveLength(2);
  }, 90_000);

  it('Telegram inline mode: the restarted bot still swaps the meme into the inline message', async () => {
    const fake = await FakeTelegramServer.start({ maxPollHoldMs: 500 });
    closers.push(() => fake.close());
    const env = scenarioEnv(redis.url, 'tg-inline-restart', { MEMELOOM_INSTANCE_ID: 'bot-tg-inline', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    const worker = track(startFakeWorker(env, RENDER_MS, 't2'));
    const first = track(startBot(env));
    await Promise.all([ready(first, 'bot'), ready(worker, 'worker')]);
    const alice = FakeUser.inPrivate(fake, 511);
    alice.sendPhoto(PHOTO);
    await fake.waitForCall((c) => c.ok && c.method === 'sendMessage' && c.params.reply_markup !== undefined, { timeoutMs: 15_000 });
    const queryId = alice.inlineQuery('nod');
    const answer = await fake.waitForCall((c) => c.ok && c.method === 'answerInlineQuery' && c.params.inline_query_id === queryId, { timeoutMs: 10_000 });
    const result = (answer.params.results as Array<{ id: string }>)[0]!;
    const mark = fake.calls.length;
    const chosen = alice.chooseInlineResult(queryId, result.id);
    // The photo is fetched and the job handed to Redis; the worker takes RENDER_MS, so the kill lands mid-render.
    await fake.waitForCall((c) => c.ok && c.method === 'getFile', { fromIndex: mark, timeoutMs: 10_000 });
    await sleep(1500);
    await first.kill('SIGKILL');
    expect(fake.calls.some((c) => c.method === 'editMessageMedia')).toBe(false);

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const edit = await fake.waitForCall((c) => c.ok && c.method === 'editMessageMedia', { timeoutMs: 20_000 });
    expect(edit.params.inline_message_id).toBe(chosen.inlineMessageId);
    const upload = fake.calls.find((c) => c.ok && c.method === 'sendAnimation' && Number(c.params.chat_id) === alice.id)!;
    expect(edit.params.media).toEqual({ type: 'animation', media: (upload.result as { animation: { file_id: string } }).animation.file_id });
    expect(fake.state.inlineMessages.get(chosen.inlineMessageId!)).toMatchObject({ kind: 'animation' });
    await sleep(1000);
    expect(fake.calls.filter((c) => c.method === 'editMessageMedia')).toHaveLength(1);
    expect(worker.events('rendered')).toHaveLength(1);
  }, 90_000);

  it('Discord: the restarted bot edits the original reply while its token lives, else posts in the channel mentioning the user', async () => {
    const fake = await FakeDiscord.start();
    closers.push(() => fake.close());
    const env = scenarioEnv(redis.url, 'dc-restart', {
      MEMELOOM_INSTANCE_ID: 'bot-dc',
      DISCORD_TOKEN: 'fake-token',
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_BASE: fake.apiBase,
    });
    const workers = [track(startFakeWorker(env, RENDER_MS, 'd1')), track(startFakeWorker(env, RENDER_MS, 'd2'))];
    const first = track(startBot(env));
    await Promise.all([ready(first, 'bot'), ...workers.map((w, i) => ready(w, `worker ${i}`))]);
    const fresh = memeCommand(fake, ALICE);
    const stale = memeCommand(fake, BOB);
    // Both jobs run on the workers: their deferred replies show a progress bar.
    const progressOf = (record: typeof fresh) => () =>
      fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.status === 200 && /%/.test(String(r.json?.content)));
    await Promise.all([fake.waitFor(progressOf(fresh), 15_000, 'progress on alice'), fake.waitFor(progressOf(stale), 15_000, 'progress on bob')]);
    await first.kill('SIGKILL');
    // Bob's token dies while the bot is down (Discord answers 50027 to its webhook from now on).
    stale.expired = true;

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const resultEdits = () => fake.requestsFor(fresh).filter((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);
    const edit = await fake.waitFor(() => resultEdits()[0], 20_000, 'the result edit on alice');
    expect(edit.files[0]!.name).toBe('meme.gif');
    expect(componentIds(fresh.original).map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);
    const posted = () => fake.state.channelMessages.find((m) => String(m.content).includes(`<@${BOB.id}>`));
    const late = await fake.waitFor(posted, 20_000, 'the channel post for bob');
    expect(late.channel_id).toBe(CHANNEL_ID);
    expect((late.attachments as unknown[]).length).toBe(1);
    expect(second.stderr).toMatch(/re-attached to jobs pending from before the restart/);
    await sleep(1500);
    expect(resultEdits()).toHaveLength(1);
    expect(fake.state.channelMessages).toHaveLength(1);
    expect(workers.flatMap((w) => w.events('rendered'))).toHaveLength(2);
    // The result's buttons belong to a session the restarted process rebuilt: "Another take" renders again.
    const again = componentIds(fresh.original).find((id) => id.split(':')[1] === 'again')!;
    const retake = fake.dispatchInteraction(buttonPress(again, fresh.original!, { user: ALICE }));
    const retakeEdit = () => fake.requestsFor(retake).find((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);
    expect((await fake.waitFor(retakeEdit, 20_000, 'the retake result')).files[0]!.name).toBe('meme.gif');
    expect(workers.flatMap((w) => w.events('rendered'))).toHaveLength(3);
  }, 90_000);
});
