// `memeloom discord register` against the fake Discord REST: the bulk PUT of every command, global or per guild.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/discord-command.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { GUILD_ID } from '../fakes/discord/interaction-payloads.ts';

let fake: FakeDiscord;

beforeAll(async () => {
  fake = await FakeDiscord.start();
});

afterAll(async () => {
  await fake?.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function stubDiscordEnv(token: string): void {
  vi.stubEnv('DISCORD_TOKEN', token);
  vi.stubEnv('DISCORD_API_BASE', fake.apiBase);
  vi.stubEnv('DISCORD_APPLICATION_ID', fake.applicationId);
  vi.stubEnv('MEMELOOM_CONFIG', '');
}

describe('memeloom discord register', () => {
  it('registers every command in one guild', async () => {
    stubDiscordEnv('fake-token');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await run(['register', '--guild', GUILD_ID])).toBe(0);
    const put = fake.state.find('PUT', new RegExp(`^/applications/${fake.applicationId}/guilds/${GUILD_ID}/commands$`));
    expect(put).toHaveLength(1);
    const names = (put[0].json as unknown as Array<{ name: string }>).map((c) => c.name);
    expect(names).toEqual(['meme', 'drive', 'templates', 'meme-settings', 'Make it a meme', 'Memeify avatar']);
    // /meme and /drive offer HelloMeme's nine LoRA styles as fixed choices.
    type Option = { name: string; choices?: Array<{ name: string; value: string }> };
    const commands = put[0].json as unknown as Array<{ name: string; options: Option[] }>;
    for (const name of ['meme', 'drive']) {
      const style = commands.find((c) => c.name === name)?.options.find((o) => o.name === 'style');
      expect(style?.choices?.map((c) => c.value), name).toEqual(['baby-face', 'more-details', 'pixel-portrait', 'drawing', 'anime-extract', 'animemix', 'anime-outline', 'ghibli', 'ink']);
    }
    expect(String(out.mock.calls[0][0])).toContain(`in guild ${GUILD_ID}`);
  });

  it('registers globally without --guild', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stubDiscordEnv('fake-token');
    expect(await run(['register'])).toBe(0);
    expect(fake.state.find('PUT', new RegExp(`^/applications/${fake.applicationId}/commands$`))).toHaveLength(1);
  });

  it('reports a missing token instead of calling Discord', async () => {
    stubDiscordEnv('');
    vi.stubEnv('DISCORD_APPLICATION_ID', '');
    const before = fake.requests.length;
    await expect(run(['register'])).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(fake.requests.length).toBe(before);
  });

  it('refuses a malformed guild id with a coded error', async () => {
    stubDiscordEnv('fake-token');
    await expect(run(['register', '--guild', 'my-server'])).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});
