// Slash commands: /meme (photo, member avatar or own avatar), /drive (photo + clip), /templates (gallery),
// and /meme's template autocomplete. Cheap checks answer ephemerally before the reply is deferred.
import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { galleryPage, templateSelectRow } from './components.ts';
import { TEXT } from './discord-texts.ts';
import type { MemeSession } from './meme-sessions.ts';
import { checkRemoteFile, parseMemeOptions, type RemoteFile } from './option-parsing.ts';
import { startRender } from './render-start.ts';
import { avatarOf, newSession, passesGate, remoteFileOf } from './session-factory.ts';
import { matchTemplates } from './template-autocomplete.ts';

/** Defers (public) and renders, or asks for a template first when none was given. */
export async function renderOrAskTemplate(interaction: RepliableInteraction, session: MemeSession, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!session.request.templateId && !session.driver) {
    const row = templateSelectRow(ctx.templates.list(), session.key, session.ownerId);
    await interaction.reply({ content: TEXT.pickTemplatePrompt, components: [row], flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply();
  await startRender(interaction, session, receivedAtMs, ctx);
}

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
      },
      ctx.templates,
    );
    const attachment = interaction.options.getAttachment('photo');
    const member = interaction.options.getUser('user');
    const photo: RemoteFile = attachment ? remoteFileOf(attachment) : avatarOf(member ?? interaction.user);
    checkRemoteFile(photo, 'photo', ctx.maxPhotoBytes);
    session = newSession(interaction, ctx, photo, options);
  } catch (error) {
    await replyInputError(interaction, error, ctx);
    return;
  }
  await renderOrAskTemplate(interaction, session, receivedAtMs, ctx);
}

export async function handleDrive(interaction: ChatInputCommandInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!(await passesGate(interaction, ctx))) return;
  let session: MemeSession;
  try {
    const photo = remoteFileOf(interaction.options.getAttachment('photo', true));
    const clip = remoteFileOf(interaction.options.getAttachment('clip', true));
    checkRemoteFile(photo, 'photo', ctx.maxPhotoBytes);
    checkRemoteFile(clip, 'clip', ctx.maxClipBytes);
    session = newSession(interaction, ctx, photo, { format: 'gif' }, clip);
  } catch (error) {
    await replyInputError(interaction, error, ctx);
    return;
  }
  await renderOrAskTemplate(interaction, session, receivedAtMs, ctx);
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
