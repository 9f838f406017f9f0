// Slash commands: /meme (photo, member avatar or own avatar), /drive (photo + clip), /templates (gallery),
// and /meme's template autocomplete. Options and declared sizes are checked at once, the files themselves
// before any template menu or render (input-check.ts); every refusal is ephemeral.
import { type AutocompleteInteraction, type ChatInputCommandInteraction, MessageFlags, type RepliableInteraction } from 'discord.js';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { NO_CAPTION_OPTION } from './command-definitions.ts';
import { galleryPage } from './components.ts';
import { checkThenAnswer } from './input-check.ts';
import type { MemeSession } from './meme-sessions.ts';
import { checkRemoteFile, parseMemeOptions, type RemoteFile } from './option-parsing.ts';
import { avatarOf, newSession, passesGate, remoteFileOf } from './session-factory.ts';
import { matchTemplates } from './template-autocomplete.ts';

async function replyInputError(interaction: RepliableInteraction, error: unknown, ctx: AdapterContext): Promise<void> {
  const { code, text } = userTextFor(error, interaction.locale);
  if (code === 'INTERNAL') ctx.log('discord: command failed', error);
  await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
}

export async function handleMeme(interaction: ChatInputCommandInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!(await passesGate(interaction, ctx))) return;
  let session: MemeSession;
  try {
    const options = parseMemeOptions(
      {
        template: interaction.options.getString('template'),
        top: interaction.options.getString('top'),
        bottom: interaction.options.getString('bottom'),
        format: interaction.options.getString('format'),
        noCaption: interaction.options.getBoolean(NO_CAPTION_OPTION),
        style: interaction.options.getString('style'),
      },
      ctx.templates,
      ctx.service.limits,
    );
    const attachment = interaction.options.getAttachment('photo');
    const member = interaction.options.getUser('user');
    const photo: RemoteFile = attachment ? remoteFileOf(attachment) : avatarOf(member ?? interaction.user);
    checkRemoteFile(photo, 'photo', ctx.service.limits.maxPhotoBytes);
    session = newSession(interaction, ctx, photo, options);
  } catch (error) {
    await replyInputError(interaction, error, ctx);
    return;
  }
  await checkThenAnswer(interaction, session, receivedAtMs, ctx);
}

export async function handleDrive(interaction: ChatInputCommandInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!(await passesGate(interaction, ctx))) return;
  let session: MemeSession;
  try {
    const photo = remoteFileOf(interaction.options.getAttachment('photo', true));
    const clip = remoteFileOf(interaction.options.getAttachment('clip', true));
    checkRemoteFile(photo, 'photo', ctx.service.limits.maxPhotoBytes);
    checkRemoteFile(clip, 'clip', ctx.service.limits.maxDriverBytes);
    session = newSession(interaction, ctx, photo, parseMemeOptions({ style: interaction.options.getString('style') }, ctx.templates, ctx.service.limits), clip);
  } catch (error) {
    await replyInputError(interaction, error, ctx);
    return;
  }
  await checkThenAnswer(interaction, session, receivedAtMs, ctx);
}

export async function handleTemplates(interaction: ChatInputCommandInteraction, ctx: AdapterContext): Promise<void> {
  const page = galleryPage(ctx.templates.list(), 0, interaction.user.id);
  await interaction.reply({ ...page, flags: MessageFlags.Ephemeral });
}

export async function handleAutocomplete(interaction: AutocompleteInteraction, ctx: AdapterContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const choices = focused.name === 'template' ? matchTemplates(ctx.templates.list(), String(focused.value)) : [];
  await interaction.respond(choices);
}
