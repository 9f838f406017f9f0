// Registers the bot's application commands with Discord, globally (for server installs and user installs alike)
// or for one guild (instant, for testing). One bulk PUT replaces the whole set, so renamed or removed commands
// disappear too.
import { ApplicationIntegrationType, REST, Routes } from 'discord.js';
import { buildCommandDefinitions } from './command-definitions.ts';

interface RegisterOptions {
  token: string;
  applicationId: string;
  /** Register in this guild only; global commands otherwise (they can take a while to appear). */
  guildId?: string;
  apiBase?: string;
  /** The configured caption limit (MEMELOOM_MAX_CAPTION_CHARS): Discord's caption boxes stop there. */
  maxCaptionChars: number;
}

interface RegisterResult {
  applicationId: string;
  scope: 'global' | { guildId: string };
  names: string[];
  /** Whether Discord stored commands a person can install to their own account (global registration only). */
  userInstallable: boolean;
}

export async function registerCommands(options: RegisterOptions): Promise<RegisterResult> {
  const rest = new REST(options.apiBase ? { api: options.apiBase } : {}).setToken(options.token);
  const { applicationId } = options;
  const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
  const body = buildCommandDefinitions(options.maxCaptionChars, options.guildId ? 'guild' : 'global');
  const stored = (await rest.put(route, { body })) as Array<{ name: string; integration_types?: number[] }>;
  const installs = new Set(stored.flatMap((c) => c.integration_types ?? []));
  return {
    applicationId,
    scope: options.guildId ? { guildId: options.guildId } : 'global',
    names: stored.map((c) => c.name),
    userInstallable: installs.has(ApplicationIntegrationType.UserInstall),
  };
}

/** Discord's authorize link that installs the app on the visitor's own account (integration_type=1). */
export function userInstallLink(applicationId: string): string {
  const query = new URLSearchParams({ client_id: applicationId, integration_type: String(ApplicationIntegrationType.UserInstall), scope: 'applications.commands' });
  return `https://discord.com/oauth2/authorize?${query}`;
}
