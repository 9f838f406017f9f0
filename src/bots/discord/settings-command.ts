// /meme-settings: a guild's admins choose allowed channels, a per-member daily cap and the engine; only in a server
// that installed the bot (not through someone's user install, not in DMs).
// Answers are ephemeral; changes go through GuildSettingsStore (persisted), never into DiscordConfig.
import { type ChatInputCommandInteraction, MessageFlags, PermissionFlagsBits } from 'discord.js';
import type { AdapterContext } from './adapter-context.ts';
import { TEXT } from './discord-texts.ts';
import type { SettingsPatch } from './guild-settings-store.ts';
import { installPlaceOf } from './install-place.ts';

function patchFor(interaction: ChatInputCommandInteraction, current: string[]): SettingsPatch | undefined {
  switch (interaction.options.getSubcommand()) {
    case 'allow-channel': {
      const id = interaction.options.getChannel('channel', true).id;
      return { allowedChannelIds: [...new Set([...current, id])] };
    }
    case 'disallow-channel': {
      const id = interaction.options.getChannel('channel', true).id;
      const rest = current.filter((c) => c !== id);
      return { allowedChannelIds: rest.length > 0 ? rest : null };
    }
    case 'all-channels':
      return { allowedChannelIds: null };
    case 'daily-cap': {
      const count = interaction.options.getInteger('count', true);
      return { dailyCapPerUser: count > 0 ? count : null };
    }
    case 'engine':
      return { engine: interaction.options.getString('mode', true) === 'preview' ? 'preview' : 'full' };
    case 'upgrade':
      return { upgrade: interaction.options.getString('mode', true) === 'off' ? 'off' : 'on' };
    default:
      return undefined;
  }
}

export async function handleSettings(interaction: ChatInputCommandInteraction, ctx: AdapterContext): Promise<void> {
  // Registered for server installs in servers only; a stale registration or a crafted call elsewhere is refused.
  const guildId = installPlaceOf(interaction).settingsGuildId;
  if (!guildId) {
    await interaction.reply({ content: TEXT.settingsServerOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  // Discord hides the command from non-admins by default, but server owners can change who sees it.
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await interaction.reply({ content: TEXT.settingsAdminsOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  const current = ctx.guildSettings.get(guildId);
  const patch = patchFor(interaction, current.allowedChannelIds ?? []);
  const settings = patch ? await ctx.guildSettings.update(guildId, patch) : current;
  await interaction.reply({ content: TEXT.settingsSummary(settings), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}
