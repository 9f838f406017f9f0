// Starts one render for a session on an interaction that has already been deferred: downloads the inputs,
// submits (or rerolls) through the service, and turns an early rejection into an ephemeral note.
import type { RepliableInteraction } from 'discord.js';
import type { JobRef } from '../service-types.ts';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { InteractionReplier, replyPrivately } from './interaction-replier.ts';
import { downloadBytes } from './media-download.ts';
import type { MemeSession } from './meme-sessions.ts';

export interface StartOptions {
  /** Render the job again with a new seed instead of submitting a fresh request. */
  rerollOfJobId?: string;
}

export async function startRender(
  interaction: RepliableInteraction,
  session: MemeSession,
  receivedAtMs: number,
  ctx: AdapterContext,
  options: StartOptions = {},
): Promise<void> {
  const replier = new InteractionReplier(interaction, session, receivedAtMs, ctx);
  session.stopUpdates = () => replier.stop();
  try {
    let job: JobRef;
    if (options.rerollOfJobId) {
      job = await ctx.service.reroll(options.rerollOfJobId, replier);
    } else {
      const photo = await downloadBytes(session.photo.url, ctx.maxPhotoBytes, 'photo');
      const driver = session.driver
        ? { bytes: await downloadBytes(session.driver.url, ctx.maxClipBytes, 'clip'), mime: session.driver.contentType }
        : undefined;
      job = await ctx.service.submit({ ...session.request, photo, ...(driver ? { driver } : {}) }, replier);
    }
    session.jobId = job.jobId;
    ctx.gate.record(session.guildId, session.ownerId);
  } catch (error) {
    await replier.stop();
    const { code, text } = userTextFor(error, interaction.locale);
    if (code === 'INTERNAL') ctx.log('discord: submit failed', error);
    await replyPrivately(interaction, text).catch((replyError: unknown) => ctx.log('discord: could not report an error', replyError));
  }
}
