// A preview that upgrades itself, on Discord, end to end: discord.js against the fake Discord, the real service and
// embedded queue, warp for the preview and the tiny HelloMeme (the project's own random weights) for the HD version.
// The deferred reply gets the preview (marked, with "Keep this one"), its text follows the HD job, then the same
// reply gets the HelloMeme file (PATCH /webhooks/<app>/<token>/messages/@original), or, once the token is too old,
// the bot edits that message as itself (PATCH /channels/<c>/messages/<m>). "Keep this one" leaves the preview.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionRecord, RecordedRequest } from '../fakes/discord/fake-rest-state.ts';
import { buttonPress, chatInput, componentIds, type Where } from '../fakes/discord/interaction-payloads.ts';
import { tinyHelloMemeRenderer } from '../../helpers/tiny-hellomeme.ts';
import { ALICE, ATTACHMENT, BOB, dataOf, type Harness, isGif, LIMIT_BYTES, STRING, startHarness } from './discord-harness.ts';

let h: Harness;
const WITH_HELLOMEME = { MEMELOOM_ENGINE: 'auto', MEMELOOM_GPU_DEVICES: '1', MEMELOOM_CPU_CONCURRENCY: '1' };

beforeAll(async () => {
  h = await startHarness({}, WITH_HELLOMEME, await tinyHelloMemeRenderer());
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const actions = (message: Record<string, unknown> | undefined) => componentIds(message).map((id) => id.split(':')[1]);
const fileEdits = (record: InteractionRecord) => h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' && r.files.length > 0 && r.status === 200);

async function memeFor(user: typeof ALICE, photoFile: string, template: string, where?: Where): Promise<InteractionRecord> {
  const photo = await h.photoAttachment(photoFile);
  const options = [{ name: 'photo', type: ATTACHMENT, value: photo.id }, { name: 'template', type: STRING, value: template }];
  return h.fake.dispatchInteraction(chatInput('meme', options, { attachments: { [photo.id]: photo } }, { user, attachmentSizeLimit: LIMIT_BYTES, ...(where ? { where } : {}) }));
}

function previewOf(record: InteractionRecord): Promise<RecordedRequest> {
  return h.fake.waitFor(() => fileEdits(record).find((r) => /^HD version on the way/.test(String(r.json?.content))), 60_000, 'the preview');
}

describe('Discord: a preview that upgrades itself', () => {
  it('edits the preview into the reply, follows the HD job in its text, then replaces the file in place with the HelloMeme render', async () => {
    const record = await memeFor(ALICE, 'harris.jpg', 'nod-along');
    const preview = await previewOf(record);
    expect(isGif(preview.files[0]!.bytes)).toBe(true);
    expect(preview.path).toMatch(/\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    expect(actions(preview.json as Record<string, unknown>)).toEqual(['keep']);

    const upgrade = await h.fake.waitFor(() => fileEdits(record).find((r) => r !== preview), 120_000, 'the HD edit');
    expect(upgrade.path).toBe(preview.path);
    expect(String(upgrade.json?.content)).toMatch(/Nod/);
    expect(actions(record.original)).toEqual(['again', 'other', 'mp4']);
    // Between the two: edits of the same reply's text, no file and no other message.
    const between = h.fake.requestsFor(record).filter((r) => r.atMs > preview.atMs && r.atMs < upgrade.atMs);
    expect(between.every((r) => r.method === 'PATCH' && r.files.length === 0)).toBe(true);
    expect(between.some((r) => /^HD version on the way… (number \d+ in line|\d+% done)/.test(String(r.json?.content)))).toBe(true);
    expect(h.fake.state.channelMessages).toHaveLength(0);
    // The bytes: warp made the preview, HelloMeme the replacement, and they differ.
    const hdBytes = upgrade.files[0]!.bytes;
    expect(h.results.find((r) => r.bytes.equals(preview.files[0]!.bytes))?.engine).toBe('warp');
    expect(h.results.find((r) => r.bytes.equals(hdBytes))?.engine).toBe('hellomeme');
    expect(hdBytes.equals(preview.files[0]!.bytes)).toBe(false);
    // The reply now holds the HD file: one attachment, the new one.
    expect(record.original?.attachments).toHaveLength(1);
  }, 240_000);

  it('"Keep this one" stops the HD stage: the preview stays, with a note and the result buttons', async () => {
    const record = await memeFor(BOB, 'show1.jpg', 'smug');
    const preview = await previewOf(record);
    const keep = componentIds(record.original).find((id) => id.split(':')[1] === 'keep')!;
    const press = h.fake.dispatchInteraction(buttonPress(keep, record.original!, { user: BOB }));
    const deferred = await h.firstCallback(press, 'the press');
    expect(deferred.json?.type).toBe(6);
    const kept = await h.fake.waitFor(() => h.fake.requestsFor(record).find((r) => r.method === 'PATCH' && r.json?.content === 'Kept the preview.'), 30_000, 'the kept note');
    expect(kept.files).toHaveLength(0);
    expect(actions(record.original)).toEqual(['again', 'other', 'mp4']);
    // The preview's file is still the one in the reply, and nothing replaced it.
    expect(fileEdits(record)).toEqual([preview]);
    // One request, two jobs queued together, the HD job first: each started once.
    expect(h.rendered.filter((s) => s.templateId === 'smug').map((s) => s.engine)).toEqual(['hellomeme', 'warp']);
  }, 120_000);

  it('past the token\'s 15 minutes the bot edits the reply as itself (PATCH /channels/<c>/messages/<m>)', async () => {
    const record = await memeFor(ALICE, 'show4.jpg', 'nod-along');
    await previewOf(record);
    // The token dies while the HD version renders: Discord refuses it, and the adapter's clock agrees.
    record.expired = true;
    h.clock.offsetMs = 15 * 60_000;
    const messageId = String(record.original!.id);
    const edit = await h.fake.waitFor(
      () => h.fake.state.requests.find((r) => r.method === 'PATCH' && r.path === `/channels/${record.channelId}/messages/${messageId}` && r.files.length > 0 && r.status === 200),
      120_000,
      'the bot\'s own edit of the reply',
    );
    expect(h.results.find((r) => r.bytes.equals(edit.files[0]!.bytes))?.engine).toBe('hellomeme');
    expect(actions(record.original)).toEqual(['again', 'other', 'mp4']);
    expect(h.fake.state.channelMessages).toHaveLength(0);
    h.clock.offsetMs = 0;
  }, 240_000);

  it('a user install (group DM) whose token outlives the preview: the HD version goes to "Show my meme", never to a channel', async () => {
    const groupDm: Where = { kind: 'group-dm' };
    const since = Date.now();
    const record = await memeFor(ALICE, 'show4.jpg', 'toothy-grin', groupDm);
    const preview = await previewOf(record);
    // Past the bot's safety margin (inside Discord's 15 minutes) while the HD version renders: the preview cannot
    // be replaced (no token, and a user install's reply cannot be edited as the bot), so the result is handed over.
    h.clock.offsetMs = 14.5 * 60_000;
    try {
      const handover = await h.fake.waitFor(() => (componentIds(record.original).some((id) => id.startsWith('ml:resume:')) ? record.original : undefined), 120_000, 'the handover');
      expect(String(handover.content)).toContain('Show my meme');
      record.expired = true;
      // Nothing replaced the preview's file; the bot never wrote to a channel or opened a DM.
      expect(fileEdits(record)).toEqual([preview]);
      const press = h.fake.dispatchInteraction(buttonPress(componentIds(handover).find((id) => id.startsWith('ml:resume:'))!, handover, { user: ALICE, where: groupDm }));
      expect((await h.firstCallback(press, 'the deferred update')).json?.type).toBe(6);
      const shown = await h.resultEdit(press);
      expect(shown.path).toBe(`/webhooks/${h.fake.applicationId}/${press.token}/messages/@original`);
      expect(h.results.find((r) => r.bytes.equals(shown.files[0]!.bytes))?.engine).toBe('hellomeme');
      expect(actions(press.original)).toEqual(['again', 'other', 'mp4']);
      expect(h.fake.requests.filter((r) => r.atMs >= since && (r.path.startsWith('/channels/') || r.path.startsWith('/users/@me/channels')))).toEqual([]);
    } finally {
      h.clock.offsetMs = 0;
    }
  }, 240_000);

  it('a server\'s admins turn it off (/meme-settings upgrade mode:off): one reply, the HelloMeme result only', async () => {
    const admin = { user: ALICE, permissions: '32' };
    const settings = h.fake.dispatchInteraction(chatInput('meme-settings', [{ name: 'upgrade', type: 1, options: [{ name: 'mode', type: STRING, value: 'off' }] }], {}, admin));
    expect(dataOf<{ content: string }>(await h.firstCallback(settings, 'the settings reply')).content).toContain('Preview first, then HD: off');
    const record = await memeFor(BOB, 'harris.jpg', 'stern-stare');
    const result = await h.resultEdit(record);
    expect(String(result.json?.content)).toMatch(/Stern/);
    expect(fileEdits(record)).toHaveLength(1);
    expect(h.results.find((r) => r.bytes.equals(result.files[0]!.bytes))?.engine).toBe('hellomeme');
    expect(h.rendered.filter((s) => s.templateId === 'stern-stare').map((s) => s.engine)).toEqual(['hellomeme']);
  }, 240_000);
});
