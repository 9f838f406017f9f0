// Starts the Discord front end: a discord.js client (Guilds intent only) whose interactions are routed to
// the handlers over the platform-neutral MemeService. The only place that creates a discord.js Client.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Options, Routes } from 'discord.js';
import type { Config } from '../../config.ts';
import { MemeError } from '../../errors.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import { PacedOutbox } from '../pacing/paced-outbox.ts';
import type { MemeService, ReplierFactory } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { asDiscordConfig, type DiscordConfig, type DiscordSeams, discordPace } from './discord-config.ts';
import { GuildGate } from './guild-gate.ts';
import { GuildSettingsStore } from './guild-settings-store.ts';
import { routeInteraction } from './interaction-router.ts';
import { MemeSessions } from './meme-sessions.ts';
import { resumedReplierFactory } from './resumed-replier.ts';

const READY_TIMEOUT_MS = 30_000;

export interface DiscordBot {
  /** The bot's own user id once connected. */
  readonly userId: string;
  /** Re-creates the Replier of a job submitted before a restart (main.ts hands it to the service's resume). */
  readonly reattach: ReplierFactory;
  stop(): Promise<void>;
}

function defaultLog(message: string, error?: unknown): void {
  console.warn(error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`);
}

function createClient(config: DiscordConfig): Client {
  return new Client({
    // Interactions arrive without any intent; Guilds (not privileged) keeps channel objects for replies.
    intents: [GatewayIntentBits.Guilds],
    rest: { ...(config.apiBase ? { api: config.apiBase } : {}), ...(config.cdnBase ? { cdn: config.cdnBase } : {}) },
    // The bot never reads chat history: keep no messages, members or presences in memory.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, GuildMemberManager: 0, PresenceManager: 0 }),
    allowedMentions: { parse: [], repliedUser: false },
  });
}

/** Makes the client connect to `gatewayUrl` whatever GET /gateway/bot says (resume URLs still come from READY). */
function overrideGatewayUrl(client: Client, gatewayUrl: string): void {
  const get = client.rest.get.bind(client.rest);
  client.rest.get = (async (route, options) => {
    const data = await get(route, options);
    return route === Routes.gatewayBot() ? { ...(data as object), url: gatewayUrl } : data;
  }) as typeof client.rest.get;
}

export async function startDiscord(
  appOrDiscordConfig: DiscordConfig | Config,
  service: MemeService,
  templates: TemplateCatalog,
  seams: DiscordSeams = {},
): Promise<DiscordBot> {
  const config = asDiscordConfig(appOrDiscordConfig);
  const nowMs = seams.nowMs ?? Date.now;
  const log = seams.log ?? defaultLog;
  const guildSettings = await GuildSettingsStore.load(config);
  const client = createClient(config);
  if (config.gatewayUrl) overrideGatewayUrl(client, config.gatewayUrl);
  const ctx: AdapterContext = {
    config,
    service,
    templates,
    sessions: new MemeSessions(nowMs),
    gate: new GuildGate(nowMs),
    guildSettings,
    rest: client.rest,
    // discord.js waits out REST rate limits itself, so the outbox only paces and orders.
    outbox: new PacedOutbox({ retryAfterMs: () => undefined, maxRetries: 0, now: nowMs }),
    pace: discordPace(config),
    nowMs,
    log,
  };
  client.on(Events.InteractionCreate, (interaction) => void routeInteraction(interaction, ctx));
  client.on(Events.Error, (error) => log('discord: client error', error));
  client.on(Events.ShardDisconnect, (event, shardId) => log(`discord: shard ${shardId} disconnected (${event.code})`));
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(READY_TIMEOUT_MS) });
  try {
    // Both awaited together, so a login failure does not leave the ready wait rejecting unobserved.
    await Promise.all([client.login(config.token), ready]);
  } catch (error) {
    await client.destroy();
    if ((error as Error).name === 'AbortError') throw new MemeError('TIMEOUT', `Discord gateway not ready within ${READY_TIMEOUT_MS} ms`);
    throw error;
  }
  const pruneTimer = setInterval(() => ctx.outbox.prune(), 60_000);
  pruneTimer.unref();
  return {
    userId: client.user?.id ?? '',
    reattach: resumedReplierFactory(ctx),
    async stop() {
      clearInterval(pruneTimer);
      await client.destroy();
    },
  };
}
