// A preview that upgrades itself across a bot restart, over a real redis-server: the request's two stages are two
// jobs (the preview on a warp worker, the HD version on a "hellomeme" worker, both the real worker code with timed
// renderers whose clips differ in colour); the bot process (the real composition root with the Telegram or Discord
// adapter on a local fake platform) is SIGKILLed after the preview is in the chat and while the HD job renders; the
// restarted process finds the HD job's route, which names the preview message, and replaces that message in place.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeDiscord } from '../../bots/fakes/discord/fake-discord.ts';
import { attachment, buttonPress, CHANNEL_ID, chatInput, componentIds, type FakeUser as DiscordUser } from '../../bots/fakes/discord/interaction-payloads.ts';
import { FakeTelegramServer } from '../../bots/fakes/telegram/fake-telegram-server.ts';
import { buttonsOf, FakeUser } from '../../bots/fakes/telegram/fake-user.ts';
import { PHOTOS, scenarioEnv, startBot, startFakeWorker, type TestProcess } from './processes.ts';
import { ready, sleep, useRedisScenario } from './redis-scenario.ts';

const PHOTO = readFileSync(path.join(PHOTOS, 'chillout.jpg'));
/** Long enough that the kill lands while the HD job renders, even on a loaded machine. */
const HD_RENDER_MS = 8000;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const { redis, closers, track } = useRedisScenario();

/** Resolves once the process has logged a line with this message (its stderr JSON lines). */
async function logged(p: TestProcess, msg: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!p.logs.some((l) => l.msg === msg)) {
    if (Date.now() > until) throw new Error(`timed out waiting for the log "${msg}"; stderr tail:\n${p.stderr.slice(-2000)}`);
    await sleep(5);
  }
}

/** A Telegram bot (its env) on a fake Bot API, with a warp worker and a slow "hellomeme" worker. */
async function telegramScenario(prefix: string) {
  const fake = await FakeTelegramServer.start({ maxPollHoldMs: 500 });
  closers.push(() => fake.close());
  const env = scenarioEnv(redis.url, prefix, { MEMELOOM_INSTANCE_ID: `bot-${prefix}`, TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
  const workers = await startWorkers(env);
  return { fake, env, workers };
}

/** A Discord bot (its env) on a fake Discord, with a warp worker and a slow "hellomeme" worker. */
async function discordScenario(prefix: string, hdRenderMs = HD_RENDER_MS) {
  const fake = await FakeDiscord.start();
  closers.push(() => fake.close());
  const env = scenarioEnv(redis.url, prefix, {
    MEMELOOM_INSTANCE_ID: `bot-${prefix}`,
    DISCORD_TOKEN: 'fake-token',
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
  });
  const workers = await startWorkers(env, hdRenderMs);
  return { fake, env, workers };
}

const isPreview = (c: { ok: boolean; method: string; params: Record<string, unknown> }) => c.ok && c.method === 'sendAnimation' && /^HD version on the way/.test(String(c.params.caption));

/**
 * Once things settle: one replacement in place, and the request's two jobs each rendered once; with `chatId`,
 * also exactly one preview sent to that chat (a test where the preview is sent twice on purpose leaves it out).
 */
async function expectUpgradedOnce(fake: FakeTelegramServer, workers: { warp: TestProcess; hd: TestProcess }, chatId?: number): Promise<void> {
  await sleep(1500);
  if (chatId !== undefined) expect(fake.callsOf('sendAnimation', chatId)).toHaveLength(1);
  expect(fake.callsOf('editMessageMedia')).toHaveLength(1);
  expect(workers.warp.events('rendered')).toHaveLength(1);
  expect(workers.hd.events('rendered')).toHaveLength(1);
}

/** A warp worker for previews and a slow "hellomeme" worker, both ready before the bot reads which engines exist. */
async function startWorkers(env: Record<string, string>, hdRenderMs = HD_RENDER_MS): Promise<{ warp: TestProcess; hd: TestProcess }> {
  const warp = track(startFakeWorker(env, 300, 'warp-1', 'warp'));
  const hd = track(startFakeWorker(env, hdRenderMs, 'hd-1', 'hellomeme'));
  await Promise.all([ready(warp, 'warp worker'), ready(hd, 'hellomeme worker')]);
  return { warp, hd };
}

describe('QUEUE_BACKEND=redis: a preview still upgrades after a bot restart', () => {
  it('Telegram: the restarted bot replaces the preview with editMessageMedia, once, and sends nothing new', async () => {
    const { fake, env, workers } = await telegramScenario('tg-upgrade');
    const first = track(startBot(env));
    await ready(first, 'bot');
    const alice = FakeUser.inPrivate(fake, 601);
    alice.sendPhoto(PHOTO, { caption: '/meme nod-along' });
    const preview = await fake.waitForCall((c) => c.ok && c.method === 'sendAnimation' && /^HD version on the way/.test(String(c.params.caption)), { timeoutMs: 20_000 });
    const previewId = (preview.result as { message_id: number }).message_id;
    expect(buttonsOf(preview.params.reply_markup).map((b) => b.data.split('|')[0])).toEqual(['kp']);
    // The HD job runs on its worker: the preview's caption shows its progress. Then the bot dies.
    await fake.waitForCall((c) => c.ok && c.method === 'editMessageCaption' && Number(c.params.message_id) === previewId && /% done/.test(String(c.params.caption)), { timeoutMs: 20_000 });
    await first.kill('SIGKILL');
    expect(fake.callsOf('editMessageMedia')).toHaveLength(0);

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const upgraded = await fake.waitForCall((c) => c.ok && c.method === 'editMessageMedia', { timeoutMs: 30_000 });
    expect(Number(upgraded.params.chat_id)).toBe(alice.id);
    expect(Number(upgraded.params.message_id)).toBe(previewId);
    const media = upgraded.params.media as { type: string; media: string };
    expect(media.type).toBe('animation');
    const hdBytes = upgraded.files[media.media.slice('attach://'.length)]!.bytes;
    // The bytes the hellomeme worker made, not the preview's (warp's).
    const [hdRender] = workers.hd.events('rendered');
    expect(sha(hdBytes)).toBe(hdRender!.sha);
    expect(sha(preview.files.animation!.bytes)).toBe(workers.warp.events('rendered')[0]!.sha);
    expect(sha(hdBytes)).not.toBe(sha(preview.files.animation!.bytes));
    expect(buttonsOf(upgraded.params.reply_markup).map((b) => b.data.split('|')[0])).toContain('ra');
    expect(second.stderr).toMatch(/re-attached to jobs pending from before the restart/);
    await expectUpgradedOnce(fake, workers, alice.id);
  }, 120_000);

  it('Discord: the restarted bot replaces the file in the original reply through the interaction webhook', async () => {
    const { fake, env, workers } = await discordScenario('dc-upgrade');
    const first = track(startBot(env));
    await ready(first, 'bot');
    const alice: DiscordUser = { id: '1400000000000000001', username: 'alice', avatar: null };
    const url = fake.addCdnFile(`/attachments/${CHANNEL_ID}/${fake.state.snowflake()}/chillout.jpg`, PHOTO, 'image/jpeg');
    const photo = attachment(url, 'chillout.jpg', PHOTO.length, 'image/jpeg');
    const options = [{ name: 'photo', type: 11, value: photo.id }, { name: 'template', type: 3, value: 'nod-along' }];
    const record = fake.dispatchInteraction(chatInput('meme', options, { attachments: { [photo.id]: photo } }, { user: alice }));
    const fileEdits = () => fake.requestsFor(record).filter((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);
    const preview = await fake.waitFor(() => fileEdits().find((r) => /^HD version on the way/.test(String(r.json?.content))), 20_000, 'the preview');
    await fake.waitFor(() => fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.files.length === 0 && /% done/.test(String(r.json?.content))), 20_000, 'HD progress on the preview');
    await first.kill('SIGKILL');

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const upgrade = await fake.waitFor(() => fileEdits().find((r) => r !== preview), 30_000, 'the HD edit');
    expect(upgrade.path).toBe(preview.path);
    expect(sha(upgrade.files[0]!.bytes)).not.toBe(sha(preview.files[0]!.bytes));
    // Fake workers return GIF placeholders for Discord's GIF format; each names its engine's worker.
    expect(upgrade.files[0]!.bytes.toString('latin1')).toContain('hd-1');
    expect(preview.files[0]!.bytes.toString('latin1')).toContain('warp-1');
    expect(componentIds(record.original).map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);
    await sleep(1500);
    expect(fileEdits()).toHaveLength(2);
    expect(fake.state.channelMessages).toHaveLength(0);
    expect(workers.hd.events('rendered')).toHaveLength(1);
  }, 120_000);

  // Both stages are queued together (the HD job first), so there is no moment at which a dead bot leaves a preview
  // without its HD job. These two kill the bot at either edge of the one step it cannot make atomic: Telegram
  // taking the preview, and the bot writing down which message that is.
  it('Telegram: killed right after the preview is in the chat and recorded, the restarted bot upgrades that message; nothing is shown twice', async () => {
    const { fake, env, workers } = await telegramScenario('tg-up-shown');
    const first = track(startBot(env));
    await ready(first, 'bot');
    const alice = FakeUser.inPrivate(fake, 611);
    alice.sendPhoto(PHOTO, { caption: '/meme nod-along' });
    const preview = await fake.waitForCall(isPreview, { timeoutMs: 20_000 });
    await logged(first, 'preview shown; its HD job now names it');
    await first.kill('SIGKILL');
    // The HD job was queued before the preview was rendered: its worker has it while the bot is down.
    expect(workers.hd.logs.some((l) => l.msg === 'job started on worker')).toBe(true);

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const upgraded = await fake.waitForCall((c) => c.ok && c.method === 'editMessageMedia', { timeoutMs: 30_000 });
    expect(Number(upgraded.params.message_id)).toBe((preview.result as { message_id: number }).message_id);
    const media = upgraded.params.media as { media: string };
    expect(sha(upgraded.files[media.media.slice('attach://'.length)]!.bytes)).toBe(workers.hd.events('rendered')[0]!.sha);
    await expectUpgradedOnce(fake, workers, alice.id);
  }, 120_000);

  it('Telegram: killed the moment Telegram took the preview, before the bot heard back, the restarted bot shows it again and upgrades it', async () => {
    const { fake, env, workers } = await telegramScenario('tg-up-stalled');
    const first = track(startBot(env));
    await ready(first, 'bot');
    const alice = FakeUser.inPrivate(fake, 612);
    fake.stallNext('sendAnimation');
    alice.sendPhoto(PHOTO, { caption: '/meme nod-along' });
    const lost = await fake.waitForCall(isPreview, { timeoutMs: 20_000 });
    await first.kill('SIGKILL');

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    const upgraded = await fake.waitForCall((c) => c.ok && c.method === 'editMessageMedia', { timeoutMs: 30_000 });
    // The bot never learned the first preview's id, so its preview job (not yet answered) is shown again; that
    // message is the one upgraded, with the HD job's bytes, rendered once.
    const previews = fake.callsOf('sendAnimation', alice.id).filter(isPreview);
    expect(previews).toHaveLength(2);
    expect(previews[0]).toBe(lost);
    expect(Number(upgraded.params.message_id)).toBe((previews[1]!.result as { message_id: number }).message_id);
    const media = upgraded.params.media as { media: string };
    expect(sha(upgraded.files[media.media.slice('attach://'.length)]!.bytes)).toBe(workers.hd.events('rendered')[0]!.sha);
    await expectUpgradedOnce(fake, workers);
  }, 120_000);

  it('Discord: "Keep this one" pressed after a restart keeps the preview (its button\'s session comes back with the job)', async () => {
    // An HD render slow enough to still be running when Keep is pressed after the restart.
    const { fake, env, workers } = await discordScenario('dc-keep', 60_000);
    const first = track(startBot(env));
    await ready(first, 'bot');
    const bob: DiscordUser = { id: '1400000000000000002', username: 'bob', avatar: null };
    const url = fake.addCdnFile(`/attachments/${CHANNEL_ID}/${fake.state.snowflake()}/chillout.jpg`, PHOTO, 'image/jpeg');
    const photo = attachment(url, 'chillout.jpg', PHOTO.length, 'image/jpeg');
    const options = [{ name: 'photo', type: 11, value: photo.id }, { name: 'template', type: 3, value: 'nod-along' }];
    const record = fake.dispatchInteraction(chatInput('meme', options, { attachments: { [photo.id]: photo } }, { user: bob }));
    const fileEdits = () => fake.requestsFor(record).filter((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);
    const preview = await fake.waitFor(() => fileEdits().find((r) => /^HD version on the way/.test(String(r.json?.content))), 20_000, 'the preview');
    await logged(first, 'preview shown; its HD job now names it');
    await first.kill('SIGKILL');

    const second = track(startBot(env));
    await ready(second, 'restarted bot');
    await sleep(1000);
    const keep = componentIds(record.original).find((id) => id.split(':')[1] === 'keep');
    expect(keep).toBeDefined();
    const press = fake.dispatchInteraction(buttonPress(keep!, record.original!, { user: bob }));
    const kept = await fake.waitFor(() => fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.json?.content === 'Kept the preview.'), 30_000, 'the kept note');
    expect(kept.files).toHaveLength(0);
    expect(componentIds(record.original).map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);
    // No "expired" answer to the press, the preview's file stays, and the HD render was stopped, not delivered.
    await sleep(1500);
    expect(fake.requestsFor(press).filter((r) => /expired|no longer/i.test(String(r.json?.content)))).toEqual([]);
    expect(fileEdits()).toEqual([preview]);
    expect(workers.hd.events('rendered')).toHaveLength(0);
  }, 120_000);
});
