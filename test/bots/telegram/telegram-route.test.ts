// The Telegram ReplyRoute (QUEUE_BACKEND=redis): what a job stores to be answered after a bot restart survives the
// JSON trip through Redis intact, and records that are not a Telegram route are refused instead of trusted.
import { describe, expect, it } from 'vitest';
import type { ReplyRoute } from '../../../src/jobs/job-backend.ts';
import { parseTelegramRoute, type TelegramRoute, toTelegramReplyRoute } from '../../../src/bots/telegram/telegram-route.ts';

const ROUTE: TelegramRoute = {
  source: {
    chat: { chatId: -1001234567890, isGroup: true },
    userId: 'telegram:42',
    photo: { fileId: 'AgACAgQ', uniqueId: 'AQADx', sizeBytes: 51234, mime: 'image/jpeg' },
    clip: { fileId: 'BAACAgQ', uniqueId: 'AQADy', mime: 'video/mp4' },
    captions: { top: 'me at 9am', bottom: 'also me' },
    replyToMessageId: 77,
    language: 'de',
  },
  statusMessageId: 78,
  format: 'mp4',
  remember: true,
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
    const minimal: TelegramRoute = { source: { chat: { chatId: 5, isGroup: false }, userId: 'telegram:5', photo: { fileId: 'f', uniqueId: 'u' }, templateId: 'nod-along' }, format: 'gif', remember: false };
    const parsed = parseTelegramRoute(throughRedis(toTelegramReplyRoute({ ...minimal, statusMessageId: undefined })));
    expect(parsed).toEqual(minimal);
    expect(parsed && 'statusMessageId' in parsed).toBe(false);
  });

  it('refuses other platforms, missing data and malformed records', () => {
    const data = toTelegramReplyRoute(ROUTE).data!;
    expect(parseTelegramRoute({ platform: 'discord', data })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram' })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, format: 'avi' } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, source: { ...ROUTE.source, chat: { chatId: '5', isGroup: false } } } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, source: { ...ROUTE.source, userId: 'discord:1' } } })).toBeUndefined();
    expect(parseTelegramRoute({ platform: 'telegram', data: { ...data, statusMessageId: -3 } })).toBeUndefined();
  });
});
