// Issue 17 point 4, a Discord app people install on their own account: `memeloom discord register` offers the
// commands to server installs and user installs, in servers, the bot's DM and DMs / group DMs; there, where the bot
// is no member, /meme and "Make it a meme" complete through the interaction webhook alone (no channel message, no
// DM), a render that outlives the token is fetched with "Show my meme", and server settings stay in servers.
// discord.js for real against the fake Discord, with the real service and renderer.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/discord-command.ts';
import { isOffered, type Place } from '../fakes/discord/fake-commands.ts';
import type { InteractionRecord, RecordedRequest } from '../fakes/discord/fake-rest-state.ts';
import {
  buttonPress,
  chatInput,
  componentIds,
  GROUP_DM_ID,
  GUILD_ID,
  messageContext,
  selectPick,
  userMessage,
  type Where,
} from '../fakes/discord/interaction-payloads.ts';
import { ALICE, ATTACHMENT, BOB, dataOf, EPHEMERAL, type Harness, isGif, LIMIT_BYTES, STRING, startHarness } from './discord-harness.ts';

/** The server's admins allowed one other channel only: a server install may not make memes in CHANNEL_ID. */
const OTHER_CHANNEL = '1300000000000000999';
const EVERYWHERE_BUT_SETTINGS = ['meme', 'drive', 'templates', 'Make it a meme', 'Memeify avatar'];
const GROUP_DM: Where = { kind: 'group-dm' };

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ guilds: { [GUILD_ID]: { allowedChannelIds: [OTHER_CHANNEL] } } });
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  h.clock.offsetMs = 0;
});

async function register(args: string[]): Promise<string> {
  vi.stubEnv('DISCORD_TOKEN', 'fake-token');
  vi.stubEnv('DISCORD_API_BASE', h.fake.apiBase);
  vi.stubEnv('DISCORD_APPLICATION_ID', h.fake.applicationId);
  vi.stubEnv('MEMELOOM_CONFIG', '');
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  expect(await run(['register', ...args])).toBe(0);
  return out.mock.calls.map((c) => String(c[0])).join('');
}

function lastPut(path: string): Array<Record<string, unknown>> {
  const puts = h.fake.state.find('PUT', new RegExp(`^${path}$`)).filter((r) => r.status === 200);
  return puts[puts.length - 1].json as unknown as Array<Record<string, unknown>>;
}

/** Requests that would need the bot in the channel: channel messages, opening a DM. */
function channelRequests(): RecordedRequest[] {
  return h.fake.requests.filter((r) => r.path.startsWith('/channels/') || r.path.startsWith('/users/@me/channels'));
}

/** Every request of an interaction is its callback or its own webhook. */
function expectWebhookOnly(record: InteractionRecord): void {
  const own = new RegExp(`^/(interactions/${record.id}/${record.token}/callback|webhooks/${h.fake.applicationId}/${record.token}(/messages/.+)?)$`);
  for (const request of h.fake.requestsFor(record)) expect(request.path).toMatch(own);
}

function memeIn(where: Where, photoId: string, resolved: Record<string, unknown>, template = 'stern-stare'): Record<string, unknown> {
  const options = [
    { name: 'photo', type: ATTACHMENT, value: photoId },
    { name: 'template', type: STRING, value: template },
  ];
  return chatInput('meme', options, { attachments: resolved }, { user: ALICE, attachmentSizeLimit: LIMIT_BYTES, where });
}

describe('registration for server and user installs', () => {
  it('registers every command globally with both install types and the three contexts; settings stay in servers', async () => {
    const out = await register([]);
    const sent = lastPut(`/applications/${h.fake.applicationId}/commands`);
    const byName = new Map(sent.map((c) => [c.name as string, c]));
    for (const name of EVERYWHERE_BUT_SETTINGS) {
      expect(byName.get(name)?.integration_types).toEqual([0, 1]);
      expect(byName.get(name)?.contexts).toEqual([0, 1, 2]);
      expect(byName.get(name)?.default_member_permissions ?? null).toBeNull();
    }
    const settings = byName.get('meme-settings');
    expect(settings?.integration_types).toEqual([0]);
    expect(settings?.contexts).toEqual([0]);
    expect(settings?.default_member_permissions).toBe('32');
    // What Discord stored, with the message context menu among them.
    expect(h.fake.commands.global.find((c) => c.name === 'Make it a meme')).toMatchObject({ type: 3, integration_types: [0, 1], contexts: [0, 1, 2] });
    expect(out).toContain(`https://discord.com/oauth2/authorize?client_id=${h.fake.applicationId}&integration_type=1&scope=applications.commands`);
  });

  it('offers /meme and the menus in DMs, group DMs and servers without the bot; /meme-settings only to server admins', () => {
    const names = (place: Place) => h.fake.commands.offered(place).map((c) => c.name).sort();
    const everywhere = [...EVERYWHERE_BUT_SETTINGS].sort();
    expect(names({ context: 2, guildInstalled: false, userInstalled: true })).toEqual(everywhere);
    expect(names({ context: 1, guildInstalled: false, userInstalled: true })).toEqual(everywhere);
    expect(names({ context: 1, guildInstalled: true, userInstalled: false })).toEqual(everywhere);
    expect(names({ context: 0, guildInstalled: false, userInstalled: true })).toEqual(everywhere);
    expect(names({ context: 0, guildInstalled: true, userInstalled: false, memberPermissions: 0n })).toEqual(everywhere);
    expect(names({ context: 0, guildInstalled: true, userInstalled: false, memberPermissions: 32n })).toEqual([...everywhere, 'meme-settings'].sort());
    // And the fake refuses to deliver what Discord's client would not offer.
    const settingsInGroupDm = chatInput('meme-settings', [{ name: 'show', type: 1 }], {}, { user: ALICE, where: GROUP_DM });
    expect(() => h.fake.dispatchInteraction(settingsInGroupDm)).toThrow(/not offered/);
  });

  it('--guild registers plain guild commands (integration types and contexts are for global ones)', async () => {
    const out = await register(['--guild', GUILD_ID]);
    for (const command of lastPut(`/applications/${h.fake.applicationId}/guilds/${GUILD_ID}/commands`)) {
      expect(command).not.toHaveProperty('integration_types');
      expect(command).not.toHaveProperty('contexts');
    }
    expect(out).not.toContain('integration_type=1');
  });

  it('the fake Discord checks the fields as documented and stores nothing it refuses', async () => {
    const put = (body: unknown) =>
      fetch(`${h.fake.apiBase}/v10/applications/${h.fake.applicationId}/commands`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: 'Bot fake-token' },
        body: JSON.stringify(body),
      });
    const before = h.fake.commands.global;
    const meme = { name: 'meme', description: 'x', type: 1 };
    for (const bad of [{ contexts: [3] }, { integration_types: [2] }, { integration_types: [] }, { contexts: [0, 0] }, { integration_types: ['1'] }]) {
      const response = await put([{ ...meme, ...bad }]);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: number }).code).toBe(50035);
    }
    expect(h.fake.commands.global).toBe(before);
    // Absent fields take the documented defaults; contexts may be null.
    expect(isOffered({ ...before[0], contexts: null }, { context: 2, guildInstalled: false, userInstalled: true })).toBe(true);
    // User Install switched off in the Developer Portal: a command may not claim it.
    h.fake.commands.appInstallTypes.delete(1);
    try {
      await expect(register([])).rejects.toThrow(/not enabled/);
    } finally {
      h.fake.commands.appInstallTypes.add(1);
    }
    expect(h.fake.commands.global).toBe(before);
  });
});

describe('where the bot is no member: the interaction webhook only', () => {
  beforeAll(async () => {
    if (!h.fake.commands.global.length) await register([]);
  });

  it('/meme in a group DM: deferred, then the meme attached to the original reply; no channel endpoint', async () => {
    const photo = await h.photoAttachment('harris.jpg');
    const record = h.fake.dispatchInteraction(memeIn(GROUP_DM, photo.id, { [photo.id]: photo }));
    expect(record.userInstallOnly).toBe(true);
    const { result, file } = await h.deferredGif(record);
    expect(result.path).toBe(`/webhooks/${h.fake.applicationId}/${record.token}/messages/@original`);
    expect(isGif(file.bytes)).toBe(true);
    expect(record.original?.attachments).toHaveLength(1);
    expect(componentIds(record.original).map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);
    expectWebhookOnly(record);
    expect(channelRequests()).toEqual([]);
  });

  it('"Make it a meme" on a group DM message: template select, pick, meme, all on the webhooks', async () => {
    const photo = await h.photoAttachment('kjl.jpg');
    const target = userMessage(BOB, [photo], GROUP_DM_ID);
    const menu = h.fake.dispatchInteraction(messageContext('Make it a meme', target, { user: ALICE, where: GROUP_DM }));
    const prompt = await h.firstCallback(menu, 'the template select');
    expect(dataOf<{ flags: number }>(prompt).flags & EPHEMERAL).toBe(EPHEMERAL);
    const pickId = componentIds(menu.original).find((id) => id.startsWith('ml:pick:'))!;
    const pick = h.fake.dispatchInteraction(selectPick(pickId, ['toothy-grin'], menu.original!, { user: ALICE, where: GROUP_DM }));
    const { file } = await h.deferredGif(pick);
    expect(file.bytes.length).toBeGreaterThan(0);
    expectWebhookOnly(menu);
    expectWebhookOnly(pick);
    expect(channelRequests()).toEqual([]);
  });

  it("/meme in the bot's DM and in a server that never invited the bot; the server's channel rules stay its own", async () => {
    const photo = await h.photoAttachment('trump.jpg');
    const refused = h.fake.dispatchInteraction(memeIn({ kind: 'guild' }, photo.id, { [photo.id]: photo }));
    const refusal = await h.firstCallback(refused, 'the channel refusal');
    expect(String(dataOf<{ content: string }>(refusal).content)).toContain('not enabled in this channel');

    for (const where of [{ kind: 'bot-dm' }, { kind: 'guild', guildInstalled: false, userInstalled: true }] as Where[]) {
      const record = h.fake.dispatchInteraction(memeIn(where, photo.id, { [photo.id]: photo }));
      await h.deferredGif(record);
      expectWebhookOnly(record);
    }
    expect(channelRequests()).toEqual([]);
  });

  it('a render outliving the token: the reply offers "Show my meme", whose press brings the meme on a fresh token', async () => {
    const photo = await h.photoAttachment('harris.jpg');
    const record = h.fake.dispatchInteraction(memeIn(GROUP_DM, photo.id, { [photo.id]: photo }, 'toothy-grin'));
    expect((await h.firstCallback(record, 'the deferral')).json?.type).toBe(5);
    // Fourteen and a half minutes pass for the adapter: inside Discord's 15, past the bot's safety margin.
    h.clock.offsetMs = 14.5 * 60_000;
    const handover = await h.fake.waitFor(() => (componentIds(record.original).some((id) => id.startsWith('ml:resume:')) ? record.original : undefined), 60_000, 'the handover');
    expect(String(handover.content)).toContain('Show my meme');
    record.expired = true;
    // Let the render finish and be held (the original reply has no file).
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(h.fake.requestsFor(record).filter((r) => r.files.length > 0)).toHaveLength(0);

    const showId = componentIds(handover).find((id) => id.startsWith('ml:resume:'))!;
    const stranger = h.fake.dispatchInteraction(buttonPress(showId, handover, { user: BOB, where: { kind: 'group-dm', authorizer: ALICE.id } }));
    expect(String(dataOf<{ content: string }>(await h.firstCallback(stranger, 'the note to Bob')).content)).toContain('belong to the person');

    const press = h.fake.dispatchInteraction(buttonPress(showId, handover, { user: ALICE, where: GROUP_DM }));
    expect((await h.firstCallback(press, 'the deferred update')).json?.type).toBe(6);
    const shown = await h.resultEdit(press);
    expect(shown.path).toBe(`/webhooks/${h.fake.applicationId}/${press.token}/messages/@original`);
    expect(isGif(shown.files[0].bytes)).toBe(true);
    expect(componentIds(press.original).map((id) => id.split(':')[1])).toEqual(['again', 'other', 'mp4']);
    expectWebhookOnly(record);
    expectWebhookOnly(press);
    expect(channelRequests()).toEqual([]);
  });

  it('/meme-settings from an older registration reaching a DM is refused cleanly, only to the caller', async () => {
    const stale = h.fake.commands.global.map(({ id: _id, ...c }) => (c.name === 'meme-settings' ? { ...c, integration_types: [0, 1], contexts: [0, 1, 2] } : c));
    const response = await fetch(`${h.fake.apiBase}/v10/applications/${h.fake.applicationId}/commands`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bot fake-token' },
      body: JSON.stringify(stale),
    });
    expect(response.status).toBe(200);
    try {
      const record = h.fake.dispatchInteraction(chatInput('meme-settings', [{ name: 'show', type: 1 }], {}, { user: ALICE, where: GROUP_DM }));
      const answer = await h.firstCallback(record, 'the refusal');
      expect(dataOf<{ flags: number }>(answer).flags & EPHEMERAL).toBe(EPHEMERAL);
      expect(String(dataOf<{ content: string }>(answer).content)).toContain('Settings belong to a server');
    } finally {
      await register([]);
    }
  });
});
