// The application commands this bot registers: /meme, /drive, /templates, /meme-settings and two context menus,
// and where each may be used. Everything but /meme-settings can be installed to a server or to a person's own
// account and used in servers, the bot's DM and other DMs / group DMs; /meme-settings only where a server installed
// the bot. Definitions only (the JSON Discord stores); handlers live elsewhere and match on these names.
import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from 'discord.js';
import { STYLE_PRESETS } from '../../models/model-files.ts';
import { LABELS } from './discord-texts.ts';

export const COMMAND_NAMES = {
  meme: 'meme',
  drive: 'drive',
  templates: 'templates',
  settings: 'meme-settings',
  makeItAMeme: LABELS.makeItAMeme,
  memeifyAvatar: LABELS.memeifyAvatar,
} as const;

/** /meme's option that turns the template's default caption off. */
export const NO_CAPTION_OPTION = 'no-caption';

/** Installed to a server (the bot joins it) or to a user's account (their commands follow them everywhere). */
const EVERY_INSTALL = [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall];
/** Servers, the DM with the bot, and DMs / group DMs between people (only reachable through a user install). */
const EVERY_CONTEXT = [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel];

/**
 * Guild-scoped commands (`register --guild`) carry neither field: Discord reads `integration_types` and `contexts`
 * on global commands only, and guild commands live in that one guild anyway.
 */
type CommandScope = 'global' | 'guild';

/** HelloMeme's LoRA styles as fixed choices (nine, under Discord's 25); the service refuses one not installed. */
function addStyleOption(command: SlashCommandBuilder): void {
  command.addStringOption((o) =>
    o
      .setName('style')
      .setDescription('A look for full-quality memes (HelloMeme LoRA)')
      .addChoices(...STYLE_PRESETS.map((s) => ({ name: s.label, value: s.id }))),
  );
}

/** `maxCaptionChars`: the configured caption limit, so Discord's own box stops at it (MEMELOOM_MAX_CAPTION_CHARS). */
function memeCommand(maxCaptionChars: number): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.meme)
    .setDescription('Animate a face with a meme template');
  command.addAttachmentOption((o) => o.setName('photo').setDescription('A photo with a face'));
  command.addUserOption((o) => o.setName('user').setDescription("Use this member's avatar instead of a photo"));
  command.addStringOption((o) => o.setName('template').setDescription('Which meme motion').setAutocomplete(true));
  command.addStringOption((o) => o.setName('top').setDescription("Top caption (default: the template's)").setMaxLength(maxCaptionChars));
  command.addStringOption((o) => o.setName('bottom').setDescription("Bottom caption (default: the template's)").setMaxLength(maxCaptionChars));
  command.addStringOption((o) =>
    o.setName('format').setDescription('Output format').addChoices({ name: 'GIF', value: 'gif' }, { name: 'MP4', value: 'mp4' }),
  );
  command.addBooleanOption((o) => o.setName(NO_CAPTION_OPTION).setDescription("No caption at all, not even the template's"));
  addStyleOption(command);
  return command;
}

function driveCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.drive)
    .setDescription('Animate a face with the motion of your own clip');
  command.addAttachmentOption((o) => o.setName('photo').setDescription('A photo with a face').setRequired(true));
  command.addAttachmentOption((o) => o.setName('clip').setDescription('A short video or GIF of a moving face').setRequired(true));
  addStyleOption(command);
  return command;
}

/**
 * Admin-only (Manage Server by default; server owners can re-assign it in Integrations), and only where a server
 * installed the bot: its settings mean nothing in a DM or through one person's install.
 */
function settingsCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.settings)
    .setDescription("Set where and how this server's members can make memes")
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);
  command.addSubcommand((s) => s.setName('show').setDescription('Show the current settings'));
  command.addSubcommand((s) =>
    s
      .setName('allow-channel')
      .setDescription('Allow memes in a channel (once any is allowed, only those)')
      .addChannelOption((o) => o.setName('channel').setDescription('Channel').setRequired(true).addChannelTypes(ChannelType.GuildText)),
  );
  command.addSubcommand((s) =>
    s
      .setName('disallow-channel')
      .setDescription('Remove a channel from the allowed list')
      .addChannelOption((o) => o.setName('channel').setDescription('Channel').setRequired(true).addChannelTypes(ChannelType.GuildText)),
  );
  command.addSubcommand((s) => s.setName('all-channels').setDescription('Allow memes in every channel again'));
  command.addSubcommand((s) =>
    s
      .setName('daily-cap')
      .setDescription('Memes per member per day (0 = no cap)')
      .addIntegerOption((o) => o.setName('count').setDescription('Count').setRequired(true).setMinValue(0).setMaxValue(100_000)),
  );
  command.addSubcommand((s) =>
    s
      .setName('engine')
      .setDescription('Fast preview engine only, or full quality when available')
      .addStringOption((o) =>
        o.setName('mode').setDescription('Mode').setRequired(true).addChoices({ name: 'preview (fast)', value: 'preview' }, { name: 'full', value: 'full' }),
      ),
  );
  command.addSubcommand((s) =>
    s
      .setName('upgrade')
      .setDescription('Fast preview first, replaced in place by the HD version (on), or HD only (off)')
      .addStringOption((o) => o.setName('mode').setDescription('Mode').setRequired(true).addChoices({ name: 'on', value: 'on' }, { name: 'off', value: 'off' })),
  );
  return command;
}

type Builder = SlashCommandBuilder | ContextMenuCommandBuilder;

/** Where a command is offered: every install and context, or (serverOnly) servers that installed the bot. */
function placed<T extends Builder>(command: T, scope: CommandScope, serverOnly = false): T {
  if (scope === 'guild') return command;
  command.setIntegrationTypes(serverOnly ? [ApplicationIntegrationType.GuildInstall] : EVERY_INSTALL);
  command.setContexts(serverOnly ? [InteractionContextType.Guild] : EVERY_CONTEXT);
  return command;
}

export function buildCommandDefinitions(maxCaptionChars: number, scope: CommandScope = 'global'): RESTPostAPIApplicationCommandsJSONBody[] {
  const templates = new SlashCommandBuilder().setName(COMMAND_NAMES.templates).setDescription('Browse the meme templates');
  const makeItAMeme = new ContextMenuCommandBuilder().setName(COMMAND_NAMES.makeItAMeme).setType(ApplicationCommandType.Message);
  const memeifyAvatar = new ContextMenuCommandBuilder().setName(COMMAND_NAMES.memeifyAvatar).setType(ApplicationCommandType.User);
  return [
    placed(memeCommand(maxCaptionChars), scope).toJSON(),
    placed(driveCommand(), scope).toJSON(),
    placed(templates, scope).toJSON(),
    placed(settingsCommand(), scope, true).toJSON(),
    placed(makeItAMeme, scope).toJSON(),
    placed(memeifyAvatar, scope).toJSON(),
  ];
}
