// Context menus: "Make it a meme" on a message with an image and "Memeify avatar" on a user. Both answer
// with an ephemeral template select; picking a template renders (component-handlers.ts).
import { MessageFlags, type MessageContextMenuCommandInteraction, type UserContextMenuCommandInteraction } from 'discord.js';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { TEXT } from './discord-texts.ts';
import { checkThenAnswer } from './input-check.ts';
import { checkRemoteFile, pickMessageImage } from './option-parsing.ts';
import { avatarOf, newSession, passesGate, remoteFileOf } from './session-factory.ts';

export async function handleMakeItAMeme(interaction: MessageContextMenuCommandInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!(await passesGate(interaction, ctx))) return;
  const message = interaction.targetMessage;
  const embedUrls = message.embeds.flatMap((e) => [e.image?.url, e.thumbnail?.url]).filter((u): u is string => Boolean(u));
  const photo = pickMessageImage([...message.attachments.values()].map(remoteFileOf), embedUrls);
  if (!photo) {
    await interaction.reply({ content: TEXT.noImageInMessage, flags: MessageFlags.Ephemeral });
    return;
  }
  try {
    checkRemoteFile(photo, 'photo', ctx.service.limits.maxPhotoBytes);
  } catch (error) {
    await interaction.reply({ content: userTextFor(error, interaction.locale).text, flags: MessageFlags.Ephemeral });
    return;
  }
  await checkThenAnswer(interaction, newSession(interaction, ctx, photo, { format: 'gif' }), receivedAtMs, ctx);
}

export async function handleMemeifyAvatar(interaction: UserContextMenuCommandInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (!(await passesGate(interaction, ctx))) return;
  const session = newSession(interaction, ctx, avatarOf(interaction.targetUser), { format: 'gif' });
  await checkThenAnswer(interaction, session, receivedAtMs, ctx);
}
