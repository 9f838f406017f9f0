// Starts the real stack (config → renderer → service) and the Discord adapter against the local fake Discord.
// Only Discord is fake; the clock given to the adapter can be pushed forward to play an expired token.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DiscordConfig, discordConfigFrom } from '../../../src/bots/discord/discord-config.ts';
import { type DiscordBot, startDiscord } from '../../../src/bots/discord/start-discord.ts';
import type { Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { TemplateCatalog } from '../../../src/templates/template-types.ts';
import { referenceImage } from '../../helpers/fixtures.ts';
import { startRealCore } from '../../helpers/real-core.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { type FakeAttachment, type FakeUser, attachment } from '../fakes/discord/interaction-payloads.ts';

export const ALICE: FakeUser = { id: '1400000000000000001', username: 'alice', avatar: 'a1b2c3' };
export const BOB: FakeUser = { id: '1400000000000000002', username: 'bob', avatar: null };

export interface Harness {
  fake: FakeDiscord;
  bot: DiscordBot;
  templates: TemplateCatalog;
  renderer: Renderer;
  /** Added to Date.now() for the adapter's clock. */
  clock: { offsetMs: number };
  logs: string[];
  /** Serves a fixture photo on the fake CDN and describes it as a Discord attachment. */
  photoAttachment(file: string, declaredSize?: number): Promise<FakeAttachment>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<DiscordConfig> = {}): Promise<Harness> {
  const fake = await FakeDiscord.start();
  const core = await startRealCore({ DISCORD_TOKEN: 'fake-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_BASE: fake.apiBase });
  const { config, templates, renderer, service } = core;
  const clock = { offsetMs: 0 };
  const logs: string[] = [];
  // The same env → Config → DiscordConfig path as `npm start`, plus the CDN (no env variable for it).
  const discordConfig: DiscordConfig = { ...discordConfigFrom(config), cdnBase: fake.cdnBase, ...overrides };
  const bot = await startDiscord(discordConfig, service, templates, {
    nowMs: () => Date.now() + clock.offsetMs,
    log: (message, error) => logs.push(`${message}${error ? `: ${String(error)}` : ''}`),
  });
  return {
    fake,
    bot,
    templates,
    renderer,
    clock,
    logs,
    async photoAttachment(file, declaredSize) {
      const bytes = await readFile(file.includes('/') ? file : referenceImage(file));
      const name = path.basename(file);
      const type = name.endsWith('.png') ? 'image/png' : 'image/jpeg';
      const url = fake.addCdnFile(`/attachments/1300000000000000001/${fake.state.snowflake()}/${name}`, bytes, type);
      return attachment(url, name, declaredSize ?? bytes.length, type);
    },
    async close() {
      await bot.stop();
      await core.close();
      await fake.close();
    },
  };
}
