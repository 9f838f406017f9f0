// The Discord ReplyRoute (QUEUE_BACKEND=redis): the interaction webhook and the session survive the JSON trip
// through Redis; per-job state (session key, result, callbacks) is not stored; foreign records are refused.
import { describe, expect, it } from 'vitest';
import { type DiscordRoute, parseDiscordRoute, toDiscordReplyRoute } from '../../../src/bots/discord/discord-route.ts';
import type { ReplyRoute } from '../../../src/jobs/job-backend.ts';

const PLACE: DiscordRoute['session']['place'] = {
  ownerId: '1400000000000000001',
  guildId: '1200000000000000001',
  channelId: '1300000000000000001',
  webhookOnly: false,
};
const SESSION: DiscordRoute['session'] = {
  place: PLACE,
  language: 'en-US',
  photo: { url: 'https://cdn.discordapp.com/attachments/1/2/cat.png', name: 'cat.png', sizeBytes: 12345, contentType: 'image/png' },
  request: { platform: 'discord', userId: 'discord:1400000000000000001', templateId: 'nod-along', format: 'gif', maxBytes: 10485760, engine: 'auto', priority: 'full' },
};
const ROUTE: DiscordRoute = { applicationId: '1100000000000000001', token: 'aW50ZXJhY3Rpb246MTIz', receivedAtMs: 1_764_000_000_000, session: SESSION };

/** SESSION as routes stored it before the follow-up type (flat, the clip called `driver`), as Redis may still hold it. */
const FLAT_SESSION = { ...PLACE, language: SESSION.language, photo: SESSION.photo, request: SESSION.request };
const CLIP = { url: 'https://cdn.discordapp.com/a/clip.mp4', name: 'clip.mp4', sizeBytes: 900000 };

const throughRedis = (route: ReplyRoute): ReplyRoute => JSON.parse(JSON.stringify(route)) as ReplyRoute;

describe('Discord reply route', () => {
  it('round-trips the webhook and the session through JSON, without per-process session state', () => {
    const live = { ...SESSION, key: 'k3y', result: { jobId: 'job-1', seed: 7 }, createdAtMs: 5, cancelled: false, stopUpdates: async () => {} };
    const stored = throughRedis(toDiscordReplyRoute({ ...ROUTE, session: live }));
    expect(stored.platform).toBe('discord');
    expect(JSON.stringify(stored)).not.toMatch(/k3y|job-1|createdAtMs|stopUpdates/);
    expect(parseDiscordRoute(stored)).toEqual(ROUTE);
  });

  it('keeps a DM interaction (no guild) and a driving clip', () => {
    const dm: DiscordRoute = { ...ROUTE, session: { ...SESSION, place: { ...PLACE, guildId: null }, clip: CLIP } };
    expect(parseDiscordRoute(throughRedis(toDiscordReplyRoute(dm)))).toEqual(dm);
  });

  it('keeps a user-install group DM as webhook-only; a record from before user installs reads as channel-capable', () => {
    const groupDm: DiscordRoute = { ...ROUTE, session: { ...SESSION, place: { ...PLACE, guildId: null, channelId: null, webhookOnly: true } } };
    expect(parseDiscordRoute(throughRedis(toDiscordReplyRoute(groupDm)))).toEqual(groupDm);
    const { webhookOnly: _w, ...older } = FLAT_SESSION;
    const data = { ...toDiscordReplyRoute(ROUTE).data, session: older };
    expect(parseDiscordRoute({ platform: 'discord', data })?.session.place.webhookOnly).toBe(false);
  });

  it('reads a route stored with the flat session of before (a job pending across the upgrade) as the same follow-up', () => {
    const data = toDiscordReplyRoute(ROUTE).data!;
    expect(parseDiscordRoute(throughRedis({ platform: 'discord', data: { ...data, session: FLAT_SESSION } }))).toEqual(ROUTE);
    // The clip was called `driver`; the take's seed rode in the request (the restored job's result brings it now).
    const withClip = { ...FLAT_SESSION, driver: CLIP, request: { ...SESSION.request, seed: 42 } };
    expect(parseDiscordRoute(throughRedis({ platform: 'discord', data: { ...data, session: withClip } }))?.session).toEqual({ ...SESSION, clip: CLIP });
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, session: { ...FLAT_SESSION, ownerId: 'me' } } })).toBeUndefined();
  });

  it('refuses other platforms, missing data and malformed records', () => {
    const data = toDiscordReplyRoute(ROUTE).data!;
    expect(parseDiscordRoute({ platform: 'telegram', data })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord' })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, applicationId: '../../users/@me' } })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, token: '' } })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, token: 'abc/../../users/@me' } })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, receivedAtMs: 'yesterday' } })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, session: { ...SESSION, request: { ...SESSION.request, platform: 'web' } } } })).toBeUndefined();
    expect(parseDiscordRoute({ platform: 'discord', data: { ...data, session: { ...SESSION, place: { ...PLACE, ownerId: 'me' } } } })).toBeUndefined();
  });
});
