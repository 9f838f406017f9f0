// Where an interaction came from, as Discord tells it (`context`, `authorizing_integration_owners`), and what that
// allows: a server that installed the bot has its admin settings and a channel the bot can post in as itself;
// anywhere reached only through a person's own install (a server that never invited the bot, a DM, a group DM),
// and the bot's DM, are answered through the interaction's webhook alone.
import { ApplicationIntegrationType, type BaseInteraction, InteractionContextType } from 'discord.js';

interface InstallPlace {
  /** The server whose admin settings apply: it installed the bot and the interaction comes from it. */
  settingsGuildId: string | null;
  /** Only the interaction webhook may answer: no channel posts, no DMs (the bot may not be in the channel at all). */
  webhookOnly: boolean;
}

export function installPlaceOf(interaction: BaseInteraction): InstallPlace {
  // GUILD_INSTALL's owner is the guild id in a server that installed the bot ("0" in the bot's DM).
  const guildOwner = interaction.authorizingIntegrationOwners[ApplicationIntegrationType.GuildInstall];
  const inServer = interaction.context === InteractionContextType.Guild || (interaction.context === null && interaction.guildId !== null);
  const installedHere = inServer && interaction.guildId !== null && guildOwner === interaction.guildId;
  return { settingsGuildId: installedHere ? interaction.guildId : null, webhookOnly: !installedHere };
}
