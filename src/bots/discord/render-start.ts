// Starts one render for a session on an interaction that has already been deferred: downloads the inputs,
// submits (or rerolls) through the service, and turns an early rejection into an ephemeral note.
import { randomInt } from 'node:crypto';
import type { RepliableInteraction } from 'discord.js';
import type { JobRef } from '../service-types.ts';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { InteractionReplier } from './interaction-replier.ts';
import { downloadBytes } from './media-download.ts';
import { rerollOrRenderAnew } from '../reroll.ts';
import type { MemeSession } from './meme-sessions.ts';
import { liveOriginalReply, replyPrivately } from './original-reply.ts';

interface StartOptions {
  /** Render the job again with a new seed instead of submitting a fresh request. */
  rerollOfJobId?: string;
  /** The session's files as just downloaded and checked (input-check.ts), so they are not fetched twice. */
  inputs?: { photo: Buffer; clip?: Buffer };
}

export async function startRender(
  interaction: RepliableInteraction,
  session: MemeSession,
  receivedAtMs: number,
  ctx: AdapterContext,
  options: StartOptions = {},
): Promise<void> {
  const replier = new InteractionReplier(liveOriginalReply(interaction), session, receivedAtMs, ctx);
  session.stopUpdates = () => replier.stop();
  session.takeOver = (reply, at) => replier.takeOver(reply, at);
  try {
    const job = options.rerollOfJobId
      ? await rerollOrRenderAnew(ctx.service, options.rerollOfJobId, replier, () => submitFresh(session, replier, ctx, randomInt(1, 2 ** 31 - 1)))
      : await submitFresh(session, replier, ctx, undefined, options.inputs);
    session.result = { ...session.result, jobId: job.jobId };
    ctx.gate.record(session.place.guildId, session.place.ownerId);
  } catch (error) {
    await replier.stop();
    const { code, text } = userTextFor(error, interaction.locale);
    if (code === 'INTERNAL') ctx.log('discord: submit failed', error);
    await replyPrivately(interaction, text).catch((replyError: unknown) => ctx.log('discord: could not report an error', replyError));
  }
}

/** Submits the session as a new request, with its files as given or downloaded again. */
async function submitFresh(session: MemeSession, replier: InteractionReplier, ctx: AdapterContext, seed?: number, inputs?: StartOptions['inputs']): Promise<JobRef> {
  const { limits } = ctx.service;
  const photo = inputs?.photo ?? (await downloadBytes(session.photo.url, limits.maxPhotoBytes, 'photo'));
  const clipBytes = session.clip ? (inputs?.clip ?? (await downloadBytes(session.clip.url, limits.maxDriverBytes, 'clip'))) : undefined;
  const driver = clipBytes ? { bytes: clipBytes, mime: session.clip?.contentType } : undefined;
  // A new take's seed, else the take the session's result showed (the same animation in MP4, with another face).
  const take = seed ?? session.result?.seed;
  return ctx.service.submit({ ...session.request, photo, language: session.language, ...(driver ? { driver } : {}), ...(take !== undefined ? { seed: take } : {}) }, replier);
}


