// Registers the bot's application commands with Discord, globally or for one guild (instant, for testing).
// One bulk PUT replaces the whole set, so renamed or removed commands disappear too.
import { REST, Routes } from 'discord.js';
import { buildCommandDefinitions } from './command-definitions.ts';

export interface RegisterOptions {
  token: string;
  applicationId: string;
  /** Register in this guild only; global commands otherwise (they can take a while to appear). */
  guildId?: string;
  apiBase?: string;
  /** The configured caption limit (MEMELOOM_MAX_CAPTION_CHARS): Discord's caption boxes stop there. */
  maxCaptionChars: number;
}

export interface RegisterResult {
  applicationId: string;
  scope: 'global' | { guildId: string };
  names: string[];
}

export async function registerCommands(options: RegisterOptions): Promise<RegisterResult> {
  const rest = new REST(options.apiBase ? { api: options.apiBase } : {}).setToken(options.token);
  const { applicationId } = options;
  const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
  const stored = (await rest.put(route, { body: buildCommandDefinitions(options.maxCaptionChars) })) as Array<{ name: string }>;
  return { applicationId, scope: options.guildId ? { guildId: options.guildId } : 'global', names: stored.map((c) => c.name) };
}
