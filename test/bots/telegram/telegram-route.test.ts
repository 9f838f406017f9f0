// The Telegram ReplyRoute (QUEUE_BACKEND=redis): what a job stores to be answered after a bot restart survives the
// JSON trip through Redis intact, and records that are not a Telegram route are refused instead of trusted.
import { describe, expect, it } from 'vitest';
import type { ReplyRoute } from '../../../src/jobs/job-backend.ts';
import { parseTelegramRoute, type TelegramRoute, toTelegramReplyRoute } from '../../../src/bots/telegram/telegram-route.ts';

const ROUTE: TelegramRoute = {
  source: {
    place: { chat: { chatId: -1001234567890, isGroup: true }, replyToMessageId: 77 },
    photo: { fileId: 'AgACAgQ', uniqueId: 'AQADx', sizeBytes: 51234, mime: 'image/jpeg' },
    clip: { fileId: 'BAACAgQ', uniqueId: 'AQADy', mime: 'video/mp4' },
    language: 'de',
    request: { platform: 'telegram', userId: 'telegram:42', captions: { top: 'me at 9am', bottom: 'also me' } },
  },
  statusMessageId: 78,
  format: 'mp4',
  remember: true,
};

/** ROUTE's source as routes stored it before the follow-up type (flat), as a pending job in Redis may still hold it. */
const FLAT_SOURCE = {
  chat: { chatId: -1001234567890, isGroup: true },
  userId: 'telegram:42',
  photo: { fileId: 'AgACAgQ', uniqueId: 'AQADx', sizeBytes: 51234, mime: 'image/jpeg' },
  clip: { fileId: 'BAACAgQ', uniqueId: 'AQADy', mime: 'video/mp4' },
  captions: { top: 'me at 9am', bottom: 'also me' },
  replyToMessageId: 77,
  language: 'de',
};

/** What Redis gives back: the route as a JSON string, parsed again. */
const throughRedis = (route: ReplyRoute): ReplyRoute => JSON.parse(JSON.stringify(route)) as ReplyRoute;

describe('Telegram reply route', () => {
  it('round-trips every field through JSON', () => {
    const stored = throughRedis(toTelegramReplyRoute(ROUTE));
    expect(stored.platform).toBe('telegram');
    expect(parseTelegramRoute(stored)).toEqual(ROUTE);
  });

  it('keeps optional fields absent (no status message yet, no clip or captions)', () => {
    const minimal: TelegramRoute = {
      source: { place: { chat: { chatId: 5, isGroup: false } }, photo: { fileId: 'f', uniqueId: 'u' }, request: { platform: 'telegram', userId: 'telegram:5', templateId: 'nod-along' } },
      format: 'gif',
      remember: false,
    };
    const parsed = parseTelegramRoute(throughRedis(toTelegramReplyRoute({ ...minimal, statusMessageId: undefined })));
    expect(parsed).toEqual(minimal);
    expect(parsed && 'statusMessageId' in parsed).toBe(false);
  });

  it('reads a route stored with the flat source of before (a job pending across the upgrade) as the same follow-up', () => {
    const stored = throughRedis({ platform: 'telegram', data: { ...toTelegramReplyRoute(ROUTE).data, source: FLAT_SOURCE } });
    expect(parseTelegramRoute(stored)).toEqual(ROUTE);
    const flatFull = { ...FLAT_SOURCE, name: 'Ada', templateId: 'nod-along', noCaption: true, checked: true, style: 'ghibli', face: 2 };
    expect(parseTelegramRoute(throughRedis({ platform: 'telegram', data: { ...toTelegramReplyRoute(ROUTE).data, source: flatFull } }))?.source).toEqual({
      ...ROUTE.source,
      place: { ...ROUTE.source.place, name: 'Ada', checked: true },
      request: { ...ROUTE.source.request, templateId: 'nod-along', noCaption: true, style: 'ghibli', face: 2 },
    });
  });

  it('stores the source as asked, not the result a follow-up of it refers to', () => {
    const followUp = { ...ROUTE, source: { ...ROUTE.source, result: { jobId: 'job-9', seed: 7, engine: 'warp' as const } } };
    const stored = throughRedis(toTelegramReplyRoute(followUp));
    expect(JSON.stringify(stored)).not.toMatch(/job-9/);
    expect(parseTelegramRoute(stored)).toEqual(ROUTE);
  });

  it('refuses other platforms, missing data and malformed records', () => {
    const data = toTelegramReplyRoute(ROUTE).data!;
    expect(parseTelegramRoute({ platform: 'discord', data })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram' })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, format: 'avi' } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, source: { ...ROUTE.source, place: { chat: { chatId: '5', isGroup: false } } } } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, source: { ...ROUTE.source, request: { ...ROUTE.source.request, userId: 'discord:1' } } } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, source: { ...FLAT_SOURCE, userId: 'discord:1' } } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, statusMessageId: -3 } })).toBeUndefined();
  });
});
