// discord.js for real against the local fake Discord (REST + Gateway), with the real service and renderer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { errorText, message } from '../../../src/bots/messages.ts';
import { loadConfig } from '../../../src/config.ts';
import { InputError } from '../../../src/errors.ts';
import { startMemeloom } from '../../../src/main.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import type { InteractionRecord } from '../fakes/discord/fake-rest-state.ts';
import {
  autocomplete,
  buttonPress,
  CHANNEL_ID,
  type CommandOption,
  chatInput,
  componentIds,
  messageContext,
  resolvedChannel,
  selectPick,
  userContext,
  userMessage,
} from '../fakes/discord/interaction-payloads.ts';
import { ALICE, ATTACHMENT, BOB, dataOf, EPHEMERAL, type Harness, isGif, memeCommand, STRING, startHarness } from './discord-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('Discord adapter on a fake Discord', () => {
  it('connects through the gateway the REST API advertises, with only the Guilds intent', () => {
    expect(h.fake.gateway.stats.identifies).toBe(1);
    expect(h.fake.gateway.stats.lastIntents).toBe(1);
    expect(h.bot.userId).toBe(h.fake.applicationId);
  });

  it('/meme with a photo: deferred within 3 s, paced progress edits, a GIF under the size limit, buttons', async () => {
    const photo = await h.photoAttachment('harris.jpg');
    const record = h.fake.dispatchInteraction(
      memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'stern-stare' }, { name: 'top', type: STRING, value: 'me at 9am' }], {
        [photo.id]: photo,
      }),
    );
    const { result } = await h.deferredGif(record);
    expect(String(result.json?.content)).toContain('Stern');
    const ids = componentIds(record.original);
    expect(ids.map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);

    const progress = h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' && r.files.length === 0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((r) => r.atMs <= result.atMs)).toBe(true);
    expect(componentIds(progress[0].json as Record<string, unknown>)[0]).toMatch(/^ml:cancel:/);
    for (let i = 1; i < progress.length; i++) expect(progress[i].atMs - progress[i - 1].atMs).toBeGreaterThanOrEqual(2_900);
  });

  it('lets only the requester press the buttons; Another take renders again', async () => {
    const photo = await h.photoAttachment('trump.jpg');
    const first = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'toothy-grin' }], { [photo.id]: photo }));
    await h.resultEdit(first);
    const resultMessage = first.original!;
    const again = componentIds(resultMessage).find((id) => id.startsWith('ml:again:'))!;

    const intruder = h.fake.dispatchInteraction(buttonPress(again, resultMessage, { user: BOB }));
    const note = await h.firstCallback(intruder, 'the note to someone else');
    expect(note.json?.type).toBe(4);
    expect(dataOf<{ flags: number }>(note).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(String(dataOf<{ content: string }>(note).content)).toContain('belong to the person');
    expect(h.fake.requestsFor(first).filter((r) => r.method === 'PATCH' && r.atMs > note.atMs)).toHaveLength(0);

    const retake = h.fake.dispatchInteraction(buttonPress(again, resultMessage, { user: ALICE }));
    expect((await h.firstCallback(retake, 'the retake deferral')).json?.type).toBe(5);
    const second = await h.resultEdit(retake);
    expect(isGif(second.files[0].bytes)).toBe(true);
  });

  it('Cancel while running stops the job: the reply says so and no result follows', async () => {
    const photo = await h.photoAttachment('zzj.jpg');
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'side-eye' }], { [photo.id]: photo }));
    const status = await h.fake.waitFor(() => h.fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.status === 200), 20_000, 'a status edit');
    const cancelId = componentIds(status.json)[0];
    expect(cancelId).toMatch(/^ml:cancel:/);
    const press = h.fake.dispatchInteraction(buttonPress(cancelId, record.original!, { user: ALICE }));
    const update = await h.firstCallback(press, 'the cancel update');
    expect(update.json?.type).toBe(7);
    expect(dataOf<{ content: string; components: unknown[] }>(update)).toMatchObject({ content: message('CANCELLED'), components: [] });

    // The CPU lane runs one job at a time, so this one's result proves the cancelled job has ended.
    const next = await h.photoAttachment('show4.jpg');
    const after = h.fake.dispatchInteraction(memeCommand(next.id, [{ name: 'template', type: STRING, value: 'stern-stare' }], { [next.id]: next }));
    await h.resultEdit(after);
    expect(h.fake.requestsFor(record).filter((r) => r.files.length > 0)).toHaveLength(0);
    expect(h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' && r.atMs > update.atMs)).toHaveLength(0);
  });

  it('answers template autocomplete with matching templates', async () => {
    const record = h.fake.dispatchInteraction(autocomplete('meme', [{ name: 'template', type: STRING, value: 'st', focused: true }], { user: ALICE }));
    const answer = await h.firstCallback(record, 'the autocomplete answer');
    expect(answer.json?.type).toBe(8);
    const choices = dataOf<{ choices: Array<{ name: string; value: string }> }>(answer).choices;
    expect(choices.map((c) => c.value)).toContain('stern-stare');
    expect(choices.every((c) => h.templates.has(c.value))).toBe(true);
  });

  it('pages the /templates gallery for the person who opened it', async () => {
    const opened = h.fake.dispatchInteraction(chatInput('templates', [], {}, { user: ALICE }));
    const first = await h.firstCallback(opened, 'the gallery');
    const data = first.json?.data as { flags: number; embeds: Array<{ title: string; description: string }> };
    expect(data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.embeds[0].title).toContain('page 1 of 2');
    const next = componentIds(opened.original).find((id) => id.startsWith('ml:gallery:1:'))!;
    const paged = h.fake.dispatchInteraction(buttonPress(next, opened.original!, { user: ALICE }));
    const update = await h.firstCallback(paged, 'the page update');
    expect(update.json?.type).toBe(7);
    const page2 = dataOf<{ embeds: Array<{ title: string; description: string }> }>(update).embeds[0];
    expect(page2.title).toContain('page 2 of 2');
    expect(page2.description.split('\n')).toHaveLength(h.templates.list().length - 10);
  });

  it('"Make it a meme" → template select → result posted to the channel once the token is too old', async () => {
    const photo = await h.photoAttachment('kjl.jpg');
    const target = userMessage(BOB, [photo]);
    const menu = h.fake.dispatchInteraction(messageContext('Make it a meme', target, { user: ALICE }));
    const prompt = await h.firstCallback(menu, 'the template select');
    expect(dataOf<{ flags: number }>(prompt).flags & EPHEMERAL).toBe(EPHEMERAL);
    const pickId = componentIds(menu.original).find((id) => id.startsWith('ml:pick:'))!;

    const pick = h.fake.dispatchInteraction(selectPick(pickId, ['stern-stare'], menu.original!, { user: ALICE }));
    expect((await h.firstCallback(pick, 'the pick deferral')).json?.type).toBe(5);
    // Sixteen minutes pass for the adapter, and Discord stops honouring the token.
    h.clock.offsetMs = 16 * 60_000;
    pick.expired = true;
    try {
      const post = await h.fake.waitFor(
        () => h.fake.state.find('POST', new RegExp(`^/channels/${CHANNEL_ID}/messages$`)).find((r) => r.files.length > 0),
        60_000,
        'the channel post',
      );
      expect(String(post.json?.content)).toContain(`<@${ALICE.id}>`);
      expect(post.json?.allowed_mentions).toEqual({ users: [ALICE.id] });
      expect(isGif(post.files[0].bytes)).toBe(true);
      expect(h.fake.requestsFor(pick).filter((r) => r.files.length > 0)).toHaveLength(0);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('"Memeify avatar" renders the member\'s avatar from the CDN after a template pick', async () => {
    const avatar = await sharp(referenceImage('show6.jpg')).resize(512, 512).png().toBuffer();
    h.fake.addCdnFile(`/avatars/${BOB.id}/b0b.png`, avatar, 'image/png');
    const bob = { ...BOB, avatar: 'b0b' };
    const menu = h.fake.dispatchInteraction(userContext('Memeify avatar', bob, { user: ALICE }));
    await h.firstCallback(menu, 'the template select');
    const pickId = componentIds(menu.original).find((id) => id.startsWith('ml:pick:'))!;
    const pick = h.fake.dispatchInteraction(selectPick(pickId, ['toothy-grin'], menu.original!, { user: ALICE }));
    const result = await h.resultEdit(pick);
    expect(isGif(result.files[0].bytes)).toBe(true);
    expect(h.fake.state.cdnHits).toContain(`/avatars/${BOB.id}/b0b.png`);
  });

  it('a photo without a face is told to the requester alone, before anything is deferred or shown publicly', async () => {
    const landscape = await sharp({ create: { width: 480, height: 360, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .composite([{ input: Buffer.from('<svg width="480" height="360"><rect x="0" y="240" width="480" height="120" fill="#3a6"/></svg>') }])
      .jpeg()
      .toBuffer();
    const url = h.fake.addCdnFile(`/attachments/${CHANNEL_ID}/99/landscape.jpg`, landscape, 'image/jpeg');
    const photo = { id: '1500000000000000001', filename: 'landscape.jpg', size: landscape.length, url, proxy_url: url, content_type: 'image/jpeg' };
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'pout' }], { [photo.id]: photo }));
    const answer = await h.firstCallback(record, 'the refusal');
    expect(answer.json?.type).toBe(4);
    expect(dataOf<{ flags: number }>(answer).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(dataOf<{ content: string }>(answer).content).toBe(message('NO_FACE'));
    expect(answer.atMs - record.dispatchedAtMs).toBeLessThan(3_000);
    // Nothing public, nothing rendered.
    expect(h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' || r.files.length > 0)).toHaveLength(0);
  });

  it('/meme-settings: admins restrict channels and cap memes per day; members are told ephemerally', async () => {
    const admin = { user: ALICE, permissions: '32' };
    const settings = (sub: string, options: CommandOption[] = [], resolved: Record<string, unknown> = {}, who = admin) =>
      h.fake.dispatchInteraction(chatInput('meme-settings', [{ name: sub, type: 1, options }], resolved, who));
    const replyOf = async (record: InteractionRecord) => dataOf<{ content: string; flags: number }>(await h.firstCallback(record, 'the reply'));

    const refused = await replyOf(settings('daily-cap', [{ name: 'count', type: 4, value: 1 }], {}, { user: BOB, permissions: '2048' }));
    expect(refused.content).toContain('Only members who can manage');

    const other = '1300000000000000002';
    const allowed = await replyOf(settings('allow-channel', [{ name: 'channel', type: 7, value: other }], { channels: { [other]: resolvedChannel(other, 'memes-only') } }));
    expect(allowed.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(allowed.content).toContain(`Channels: <#${other}>`);
    const photo = await h.photoAttachment('show6.jpg');
    const elsewhere = await replyOf(h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'pout' }], { [photo.id]: photo })));
    expect(elsewhere.content).toContain('not enabled in this channel');
    expect((await replyOf(settings('all-channels'))).content).toContain('Channels: all');

    const carol = { id: '1400000000000000003', username: 'carol', avatar: null };
    expect((await replyOf(settings('daily-cap', [{ name: 'count', type: 4, value: 1 }]))).content).toContain('Daily cap per member: 1');
    const asCarol = () =>
      h.fake.dispatchInteraction(chatInput('meme', [{ name: 'photo', type: ATTACHMENT, value: photo.id }, { name: 'template', type: STRING, value: 'stern-stare' }], { attachments: { [photo.id]: photo } }, { user: carol }));
    await h.resultEdit(asCarol());
    expect((await replyOf(asCarol())).content).toContain('daily limit');
    expect((await replyOf(settings('daily-cap', [{ name: 'count', type: 4, value: 0 }]))).content).toContain('Daily cap per member: none');
  });

  it('a photo over the size cap is refused ephemerally before anything is deferred or downloaded', async () => {
    const photo = await h.photoAttachment('show1.jpg', 40 * 1024 * 1024);
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'pout' }], { [photo.id]: photo }));
    const answer = await h.firstCallback(record, 'the refusal');
    const data = answer.json?.data as { flags: number; content: string };
    expect(answer.json?.type).toBe(4);
    expect(data.flags & EPHEMERAL).toBe(EPHEMERAL);
    const maxBytes = h.config.limits.maxPhotoBytes;
    expect(data.content).toBe(errorText(new InputError('IMAGE_TOO_LARGE', 'big', { bytes: 40 * 1024 * 1024, maxBytes })).text);
    expect(data.content).toContain('(40 MB). The limit is 20 MB.');
  });

  it('survives a gateway drop: resumes the session and answers an interaction sent while it was down', async () => {
    const resumed = h.fake.gateway.waitForSession();
    h.fake.gateway.dropConnection(4000);
    const record = h.fake.dispatchInteraction(autocomplete('meme', [{ name: 'template', type: STRING, value: 'nod', focused: true }], { user: BOB }));
    await resumed;
    const answer = await h.firstCallback(record, 'the answer after resume');
    expect(dataOf<{ choices: Array<{ value: string }> }>(answer).choices[0].value).toBe('nod-along');
    expect(h.fake.gateway.stats.resumes).toBe(1);
    expect(h.fake.gateway.stats.identifies).toBe(1);
  });

  it('the `npm start` path (startMemeloom with DISCORD_TOKEN set) connects and answers', async () => {
    const other = await FakeDiscord.start();
    // Nothing listens there: the client must use DISCORD_GATEWAY_URL instead of what /gateway/bot says.
    other.advertisedGatewayUrl = 'ws://127.0.0.1:9/gateway';
    const dataDir = await mkdtemp(path.join(tmpdir(), 'memeloom-discord-start-'));
    const config = loadConfig({
      MEMELOOM_DATA_DIR: dataDir,
      MEMELOOM_WEB: 'false',
      MEMELOOM_GPU_DEVICES: '0',
      DISCORD_TOKEN: 'fake-token',
      DISCORD_APPLICATION_ID: other.applicationId,
      DISCORD_API_BASE: other.apiBase,
      DISCORD_GATEWAY_URL: other.gateway.url,
    });
    const app = await startMemeloom(config, { templates: h.templates, renderer: h.renderer, logger: silentLogger });
    try {
      expect(other.gateway.stats.identifies).toBe(1);
      const record = other.dispatchInteraction(autocomplete('meme', [{ name: 'template', type: STRING, value: 'gasp', focused: true }], { user: ALICE }));
      const answer = await other.waitFor(() => other.requestsFor(record).find((r) => r.path.endsWith('/callback')), 10_000, 'the answer');
      expect(dataOf<{ choices: Array<{ value: string }> }>(answer).choices[0].value).toBe('gasp');
    } finally {
      await app.stop();
      await other.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
