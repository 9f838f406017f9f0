// The application commands this bot registers: /meme, /drive, /templates and two context menus.
// Definitions only (the JSON Discord stores); handlers live elsewhere and match on these names.
import {
  ApplicationCommandType,
  ChannelType,
  ContextMenuCommandBuilder,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIApplicationCommandsJSONBody,
  SlashCommandBuilder,
} from 'discord.js';
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

const CONTEXTS = [InteractionContextType.Guild, InteractionContextType.BotDM];

/** `maxCaptionChars`: the configured caption limit, so Discord's own box stops at it (MEMELOOM_MAX_CAPTION_CHARS). */
function memeCommand(maxCaptionChars: number): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.meme)
    .setDescription('Animate a face with a meme template')
    .setContexts(CONTEXTS);
  command.addAttachmentOption((o) => o.setName('photo').setDescription('A photo with a face'));
  command.addUserOption((o) => o.setName('user').setDescription("Use this member's avatar instead of a photo"));
  command.addStringOption((o) => o.setName('template').setDescription('Which meme motion').setAutocomplete(true));
  command.addStringOption((o) => o.setName('top').setDescription("Top caption (default: the template's)").setMaxLength(maxCaptionChars));
  command.addStringOption((o) => o.setName('bottom').setDescription("Bottom caption (default: the template's)").setMaxLength(maxCaptionChars));
  command.addStringOption((o) =>
    o.setName('format').setDescription('Output format').addChoices({ name: 'GIF', value: 'gif' }, { name: 'MP4', value: 'mp4' }),
  );
  command.addBooleanOption((o) => o.setName(NO_CAPTION_OPTION).setDescription("No caption at all, not even the template's"));
  return command;
}

function driveCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.drive)
    .setDescription('Animate a face with the motion of your own clip')
    .setContexts(CONTEXTS);
  command.addAttachmentOption((o) => o.setName('photo').setDescription('A photo with a face').setRequired(true));
  command.addAttachmentOption((o) => o.setName('clip').setDescription('A short video or GIF of a moving face').setRequired(true));
  return command;
}

/** Admin-only (Manage Server by default; server owners can re-assign it in Integrations). */
function settingsCommand(): SlashCommandBuilder {
  const command = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.settings)
    .setDescription("Set where and how this server's members can make memes")
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts([InteractionContextType.Guild]);
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
  return command;
}

export function buildCommandDefinitions(maxCaptionChars: number): RESTPostAPIApplicationCommandsJSONBody[] {
  const templates = new SlashCommandBuilder()
    .setName(COMMAND_NAMES.templates)
    .setDescription('Browse the meme templates')
    .setContexts(CONTEXTS);
  const makeItAMeme = new ContextMenuCommandBuilder()
    .setName(COMMAND_NAMES.makeItAMeme)
    .setType(ApplicationCommandType.Message)
    .setContexts(CONTEXTS);
  const memeifyAvatar = new ContextMenuCommandBuilder()
    .setName(COMMAND_NAMES.memeifyAvatar)
    .setType(ApplicationCommandType.User)
    .setContexts(CONTEXTS);
  return [
    memeCommand(maxCaptionChars).toJSON(),
    driveCommand().toJSON(),
    templates.toJSON(),
    settingsCommand().toJSON(),
    makeItAMeme.toJSON(),
    memeifyAvatar.toJSON(),
  ];
}
