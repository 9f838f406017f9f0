// Buttons and selects: Another take, Other template, MP4, Cancel, Show my meme, gallery paging, template pick, and
// a group photo's face select (beside the template menu, or under a result to render that face again).
// Only the requester may press them; anyone else gets an ephemeral note and nothing changes.
import { type ButtonInteraction, MessageFlags, type StringSelectMenuInteraction } from 'discord.js';
import { message } from '../messages.ts';
import type { AdapterContext } from './adapter-context.ts';
import { type FaceChoice, parseFaceChoice } from '../../pipeline/face/face-choice.ts';
import { faceSelectRow, galleryPage, templateSelectRow } from './components.ts';
import { type ComponentId, decodeComponentId } from './custom-ids.ts';
import { TEXT } from './discord-texts.ts';
import type { MemeSession } from './meme-sessions.ts';
import { liveOriginalReply } from './original-reply.ts';
import { startRender } from './render-start.ts';
import { deriveSession, passesGate } from './session-factory.ts';

type ComponentInteraction = ButtonInteraction | StringSelectMenuInteraction;

async function ephemeral(interaction: ComponentInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}

async function cancel(interaction: ComponentInteraction, session: MemeSession, ctx: AdapterContext): Promise<void> {
  session.cancelled = true;
  await session.stopUpdates?.();
  const jobId = session.result?.jobId;
  const cancelled = jobId ? ctx.service.cancel(jobId) : ctx.service.cancelForUser(`discord:${session.place.ownerId}`);
  if (!cancelled) ctx.log(`discord: cancel found no running job for session ${session.key}`);
  await interaction.update({ content: message('CANCELLED', {}, session.language), components: [] });
}

async function act(interaction: ComponentInteraction, id: ComponentId, session: MemeSession, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  switch (id.action) {
    case 'cancel':
      return cancel(interaction, session, ctx);
    case 'again': {
      const jobId = session.result?.jobId;
      if (!jobId) return ephemeral(interaction, TEXT.expired);
      await interaction.deferReply();
      return startRender(interaction, deriveSession(ctx, session, {}), receivedAtMs, ctx, { rerollOfJobId: jobId });
    }
    case 'mp4': {
      await interaction.deferReply();
      return startRender(interaction, deriveSession(ctx, session, { format: 'mp4' }), receivedAtMs, ctx);
    }
    case 'other': {
      const row = templateSelectRow(ctx.templates.list(), session.key, session.place.ownerId);
      await interaction.reply({ content: TEXT.pickTemplatePrompt, components: [row], flags: MessageFlags.Ephemeral });
      return;
    }
    case 'pick': {
      const templateId = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
      if (!templateId || !ctx.templates.has(templateId)) return ephemeral(interaction, TEXT.expired);
      await interaction.deferReply();
      // A template replaces a /drive clip, and a new template starts from the default seed.
      return startRender(interaction, deriveSession(ctx, { ...session, clip: undefined, result: undefined }, { templateId }), receivedAtMs, ctx);
    }
    case 'resume': {
      if (!session.takeOver) return ephemeral(interaction, TEXT.expired);
      // A deferred update: this press's token edits the message the button is on, for another 15 minutes.
      await interaction.deferUpdate();
      if (!(await session.takeOver(liveOriginalReply(interaction), receivedAtMs))) {
        await interaction.editReply({ content: TEXT.expired, components: [] });
      }
      return;
    }
    case 'keep': {
      // A deferred update: the preview's own edit says it was kept (bots/upgrade/).
      await interaction.deferUpdate();
      const jobId = session.result?.jobId;
      if (!jobId || !ctx.service.keepPreview(jobId)) await interaction.followUp({ content: TEXT.expired, flags: MessageFlags.Ephemeral });
      return;
    }
    case 'face': {
      // Beside the template menu: remember the choice; the template pick renders with it.
      const face = chosenFace(interaction);
      if (face === undefined || !session.faceCount) return ephemeral(interaction, TEXT.expired);
      session.request = { ...session.request, face };
      const faces = faceSelectRow(session.faceCount, face, session.key, session.place.ownerId, 'face');
      const templates = templateSelectRow(ctx.templates.list(), session.key, session.place.ownerId);
      await interaction.update({ components: [faces, templates] });
      return;
    }
    case 'reface': {
      // Under a result: the same meme again with that face (or all of them).
      const face = chosenFace(interaction);
      if (face === undefined) return ephemeral(interaction, TEXT.expired);
      await interaction.deferReply();
      return startRender(interaction, deriveSession(ctx, session, { face }), receivedAtMs, ctx);
    }
    case 'gallery':
      return;
  }
}

/** The face a face select picked: 'all' or a number; undefined for anything else. */
function chosenFace(interaction: ComponentInteraction): FaceChoice | undefined {
  const value = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
  if (value === undefined) return undefined;
  try {
    return parseFaceChoice(value);
  } catch {
    return undefined;
  }
}

export async function handleComponent(interaction: ComponentInteraction, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  const id = decodeComponentId(interaction.customId);
  if (!id) return ephemeral(interaction, TEXT.expired);
  if (interaction.user.id !== id.ownerId) return ephemeral(interaction, TEXT.notYours);
  if (id.action === 'gallery') {
    await interaction.update(galleryPage(ctx.templates.list(), Number(id.arg) || 0, id.ownerId));
    return;
  }
  const session = ctx.sessions.get(id.arg);
  if (!session) return ephemeral(interaction, TEXT.expired);
  // Every new render counts against the guild's rules, not only the first.
  const rendersAgain = id.action === 'again' || id.action === 'mp4' || id.action === 'pick' || id.action === 'reface';
  if (rendersAgain && !(await passesGate(interaction, ctx))) return;
  await act(interaction, id, session, receivedAtMs, ctx);
}
