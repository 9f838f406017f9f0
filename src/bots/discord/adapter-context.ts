// Everything a Discord handler needs, gathered once at start-up: the service (and its input limits), catalog,
// sessions, gate and the clock. Handlers receive this object instead of reaching for globals.
import type { REST } from 'discord.js';
import type { ErrorCode } from '../../errors.ts';
import { errorText } from '../messages.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import type { PacedOutbox } from '../pacing/paced-outbox.ts';
import type { PaceLimits } from '../pacing/pace-rule.ts';
import type { MemeService } from '../service-types.ts';
import type { DiscordConfig } from './discord-config.ts';
import type { GuildGate } from './guild-gate.ts';
import type { GuildSettingsStore } from './guild-settings-store.ts';
import type { MemeSessions } from './meme-sessions.ts';

export interface AdapterContext {
  config: DiscordConfig;
  service: MemeService;
  templates: TemplateCatalog;
  sessions: MemeSessions;
  gate: GuildGate;
  guildSettings: GuildSettingsStore;
  rest: REST;
  /** Paces each interaction reply's progress edits (one queue per reply) and lets results overtake them. */
  outbox: PacedOutbox;
  pace: PaceLimits;
  nowMs: () => number;
  log: (message: string, error?: unknown) => void;
}

/** The user-facing line for anything thrown before the service took the job. */
export function userTextFor(error: unknown, language?: string): { code: ErrorCode; text: string } {
  return errorText(error, language);
}
