// The late-result path over discord.js's REST client and the fake Discord: channel first, DM when the channel is gone.
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToChannelOrDm } from '../../../src/bots/discord/channel-delivery.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';

let fake: FakeDiscord;
let rest: REST;
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(100, 1)]);

beforeAll(async () => {
  fake = await FakeDiscord.start();
  rest = new REST({ api: fake.apiBase }).setToken('fake-token');
});

afterAll(async () => {
  await fake?.close();
});

describe('postToChannelOrDm', () => {
  it('posts in the channel with only the requester mentionable', async () => {
    const where = await postToChannelOrDm(rest, '1300000000000000007', {
      content: '<@42> here',
      mentionUserId: '42',
      files: [{ name: 'meme.gif', data: GIF, contentType: 'image/gif' }],
    });
    expect(where).toBe('channel');
    const [post] = fake.state.find('POST', /^\/channels\/1300000000000000007\/messages$/);
    expect(post.json?.allowed_mentions).toEqual({ users: ['42'] });
    expect(post.files.map((f) => [f.name, f.bytes.length])).toEqual([['meme.gif', GIF.length]]);
  });

  it('falls back to a DM when the channel is gone', async () => {
    fake.state.missingChannels.add('1300000000000000008');
    const where = await postToChannelOrDm(rest, '1300000000000000008', { content: '<@43> here', mentionUserId: '43' });
    expect(where).toBe('dm');
    const [open] = fake.state.find('POST', /^\/users\/@me\/channels$/);
    expect(open.json).toEqual({ recipient_id: '43' });
    const dmPosts = fake.state.channelMessages.filter((m) => m.content === '<@43> here');
    expect(dmPosts).toHaveLength(1);
    expect(dmPosts[0].channel_id).not.toBe('1300000000000000008');
  });
});
