// Routes each incoming interaction to its handler by kind and command name, stamping when it arrived
// (the token's 15-minute clock) and turning anything a handler throws into a logged, quiet failure.
import { type Interaction, MessageFlags } from 'discord.js';
import { message } from '../messages.ts';
import type { AdapterContext } from './adapter-context.ts';
import { handleAutocomplete, handleDrive, handleMeme, handleTemplates } from './command-handlers.ts';
import { COMMAND_NAMES } from './command-definitions.ts';
import { handleComponent } from './component-handlers.ts';
import { handleMakeItAMeme, handleMemeifyAvatar } from './context-menu-handlers.ts';
import { handleSettings } from './settings-command.ts';

async function dispatch(interaction: Interaction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  if (interaction.isAutocomplete()) return handleAutocomplete(interaction, ctx);
  if (interaction.isChatInputCommand()) {
    if (interaction.commandName === COMMAND_NAMES.meme) return handleMeme(interaction, receivedAtMs, ctx);
    if (interaction.commandName === COMMAND_NAMES.drive) return handleDrive(interaction, receivedAtMs, ctx);
    if (interaction.commandName === COMMAND_NAMES.templates) return handleTemplates(interaction, ctx);
    if (interaction.commandName === COMMAND_NAMES.settings) return handleSettings(interaction, ctx);
    return;
  }
  if (interaction.isMessageContextMenuCommand() && interaction.commandName === COMMAND_NAMES.makeItAMeme) {
    return handleMakeItAMeme(interaction, receivedAtMs, ctx);
  }
  if (interaction.isUserContextMenuCommand() && interaction.commandName === COMMAND_NAMES.memeifyAvatar) {
    return handleMemeifyAvatar(interaction, receivedAtMs, ctx);
  }
  if (interaction.isButton() || interaction.isStringSelectMenu()) return handleComponent(interaction, receivedAtMs, ctx);
}

export async function routeInteraction(interaction: Interaction, ctx: AdapterContext): Promise<void> {
  const receivedAtMs = ctx.nowMs();
  try {
    await dispatch(interaction, receivedAtMs, ctx);
  } catch (error) {
    ctx.log(`discord: interaction ${interaction.id} failed`, error);
    if (!interaction.isRepliable() || interaction.replied) return;
    const content = message('INTERNAL', {}, interaction.locale);
    const answer = interaction.deferred ? interaction.followUp({ content, flags: MessageFlags.Ephemeral }) : interaction.reply({ content, flags: MessageFlags.Ephemeral });
    await answer.catch(() => {});
  }
}
