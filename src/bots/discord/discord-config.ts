// The Discord adapter's settings: credentials, endpoints (overridable for the local fake) and per-guild rules.
// Plain data; src/config.ts reads the environment and builds this, nothing here touches process.env.
import path from 'node:path';
import type { Config } from '../../config.ts';
import { MemeError } from '../../errors.ts';
import type { EngineName } from '../../pipeline/meme-spec.ts';
import type { PaceLimits } from '../pacing/pace-rule.ts';

/** What a guild's admins may set. */
export interface DiscordGuildSettings {
  /** Channel ids where the bot answers; empty or absent means every channel. */
  allowedChannelIds?: string[];
  /** Renders per user per UTC day in this guild; absent means no cap. */
  dailyCapPerUser?: number;
  /** 'preview' keeps the guild on the fast CPU engine; 'full' lets the service pick (HelloMeme when present). */
  engine?: 'preview' | 'full';
  /** With 'full': 'off' waits for the HD version instead of posting the preview first (bots/upgrade/); default on. */
  upgrade?: 'on' | 'off';
}

export interface DiscordConfig {
  token: string;
  /** The application (client) id; needed for command registration and webhook routes. */
  applicationId: string;
  /** REST base without the version, e.g. `https://discord.com/api`; tests point it at the local fake. */
  apiBase?: string;
  /** Gateway URL to use instead of the one GET /gateway/bot advertises (a gateway proxy). */
  gatewayUrl?: string;
  /** CDN base for avatars, e.g. `https://cdn.discordapp.com`. */
  cdnBase?: string;
  /** Settings applied where a guild has no entry of its own. */
  defaultGuild?: DiscordGuildSettings;
  /** Per-guild overrides keyed by guild id. */
  guilds?: Record<string, DiscordGuildSettings>;
  /** Where admins' /meme-settings choices are kept across restarts; in memory only when absent. */
  settingsFile?: string;
  /** MEMELOOM_PROGRESS_INTERVAL_MS: the operator's least time between two progress edits (Discord's may be longer). */
  progressIntervalMs?: number;
}

/** Seams for tests: the clock that decides token lifetime and edit pacing. */
export interface DiscordSeams {
  nowMs?: () => number;
  /** Where the adapter reports failures it swallows (default: console.warn). */
  log?: (message: string, error?: unknown) => void;
}

/** Discord's upload limit for an interaction when the payload does not say (attachment_size_limit). */
export const DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * Discord's limits as the pacing rule (bots/pacing/pace-rule.ts) reads them, per interaction reply: Discord asks
 * bots not to edit one message more often than every few seconds; REST rate limits are discord.js's own.
 */
export function discordPace(config: Pick<DiscordConfig, 'progressIntervalMs'>): PaceLimits {
  return { chatGapMs: 0, gatherMs: 0, statusGapMs: Math.max(3000, config.progressIntervalMs ?? 0) };
}

/** The engine a guild setting maps to in a MemeRequest, and whether its preview upgrades itself. */
export function engineForGuild(settings: DiscordGuildSettings): { engine: EngineName | 'auto'; priority: 'preview' | 'full'; upgrade: boolean } {
  if (settings.engine === 'preview') return { engine: 'warp', priority: 'preview', upgrade: false };
  return { engine: 'auto', priority: 'full', upgrade: settings.upgrade !== 'off' };
}

/** The Discord part of the app's Config (what main.ts hands every adapter) as a DiscordConfig. */
export function discordConfigFrom(config: Config): DiscordConfig {
  const { token, applicationId, apiBase, gatewayUrl } = config.discord;
  if (!token || !applicationId) throw new MemeError('BAD_OPTION', 'DISCORD_TOKEN and DISCORD_APPLICATION_ID must both be set');
  return {
    token,
    applicationId,
    ...(apiBase ? { apiBase } : {}),
    ...(gatewayUrl ? { gatewayUrl } : {}),
    settingsFile: path.join(config.dataDir, 'discord-guild-settings.json'),
    progressIntervalMs: config.progress.stageIntervalMs,
  };
}

/** Accepts either shape: main.ts passes the app Config, tests and embedders a DiscordConfig. */
export function asDiscordConfig(config: DiscordConfig | Config): DiscordConfig {
  return 'discord' in config ? discordConfigFrom(config) : config;
}
