// The adapters' one follow-up type (src/bots/follow-up.ts): Telegram's job sources and sent results and Discord's
// meme sessions are FollowUps (checked by tsc, which runs over test/), and the FollowUps store keeps them as its
// opening comment says: a bounded number, least recently used first, each gone its time to live after it was stored.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DiscordPlace, DiscordRequest, MemeSession } from '../../../src/bots/discord/meme-sessions.ts';
import type { RemoteFile } from '../../../src/bots/discord/option-parsing.ts';
import { type FollowUp, FollowUps } from '../../../src/bots/follow-up.ts';
import type { JobSource, TelegramPlace } from '../../../src/bots/telegram/job-source.ts';
import type { FileRef } from '../../../src/bots/telegram/telegram-files.ts';

type Note = FollowUp<string, { chat: number }>;
const note = (templateId: string): Note => ({ place: { chat: 1 }, photo: 'photo-ref', request: { platform: 'telegram', userId: 'telegram:1', templateId } });

describe('FollowUp', () => {
  it('is the type of both adapters\' follow-ups: platform data in place, files as the platform\'s references', () => {
    expectTypeOf<JobSource>().toEqualTypeOf<FollowUp<FileRef, TelegramPlace>>();
    expectTypeOf<MemeSession>().toExtend<FollowUp<RemoteFile, DiscordPlace, DiscordRequest>>();
    // Nothing of the request's bytes, nor the seed (the result's), is part of a follow-up.
    expectTypeOf<MemeSession['request']>().not.toHaveProperty('photo');
    expectTypeOf<JobSource['request']>().not.toHaveProperty('seed');
    expectTypeOf<MemeSession>().not.toHaveProperty('driver');
  });
});

describe('FollowUps', () => {
  it('keeps at most maxEntries follow-ups, the least recently used going first', () => {
    const store = new FollowUps<Note>({ maxEntries: 2 });
    store.set('a', note('a'));
    store.set('b', note('b'));
    expect(store.get('a')?.request.templateId).toBe('a');
    store.set('c', note('c'));
    expect([store.get('a'), store.get('b'), store.get('c')].map((f) => f?.request.templateId)).toEqual(['a', undefined, 'c']);
    expect(store.size).toBe(2);
  });

  it('forgets a follow-up ttlMs after it was stored (its buttons then say expired); delete forgets it at once', () => {
    let now = 5_000;
    const store = new FollowUps<Note>({ maxEntries: 10, ttlMs: 1_000, now: () => now });
    store.set('a', note('a'));
    store.set('b', note('b'));
    now = 5_999;
    expect(store.get('a')).toBeDefined();
    store.delete('b');
    expect(store.get('b')).toBeUndefined();
    now = 6_001;
    expect(store.get('a')).toBeUndefined();
  });
});
