// "Check before asking" on Discord: the photo (and clip) of a new request is downloaded and run through the
// service's checks before the template menu is shown or the render is started, so a bad file gets its reason
// (ephemeral, with the limit) and nothing else. Discord wants a first answer within 3 s: the check gets about
// 2 s, after which the reply is deferred (ephemeral for a menu, public for a render) and the check goes on.
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { clipTrimmedText } from '../messages.ts';
import { type AdapterContext, userTextFor } from './adapter-context.ts';
import { drawFaceNumbers } from '../../pipeline/media/face-numbers.ts';
import type { PhotoFacts } from '../../pipeline/input-inspector.ts';
import { faceSelectRow, templateSelectRow } from './components.ts';
import { TEXT } from './discord-texts.ts';
import { downloadBytes } from './media-download.ts';
import type { MemeSession } from './meme-sessions.ts';
import { replyPrivately } from './original-reply.ts';
import { startRender } from './render-start.ts';

/** Of Discord's 3 s for a first answer, what the check may take before the reply is deferred. */
const ANSWER_BUDGET_MS = 2_000;

interface CheckedFiles {
  photo: Buffer;
  clip?: Buffer;
  /** Said to the requester when their clip is longer than the limit and only its first seconds are used. */
  note?: string;
  /** What the check saw in the photo (its choosable faces). */
  facts?: PhotoFacts;
}

/** Downloads the session's files within the limits and runs the service's checks; throws the InputError to show. */
async function downloadAndCheck(session: MemeSession, ctx: AdapterContext): Promise<CheckedFiles> {
  const { limits } = ctx.service;
  const photo = await downloadBytes(session.photo.url, limits.maxPhotoBytes, 'photo');
  const clip = session.clip ? await downloadBytes(session.clip.url, limits.maxDriverBytes, 'clip') : undefined;
  const checked = await ctx.service.inspect({ photo, clip });
  const note = checked.clip?.trimmed ? clipTrimmedText(checked.clip.durationSec, limits.maxDriverSeconds, session.language) : undefined;
  session.faceCount = checked.photo?.faces.length;
  return { photo, clip, note, facts: checked.photo };
}

/** The template menu; for a group photo also the face select and the picture that numbers the faces. */
async function templateMenu(session: MemeSession, files: CheckedFiles, ctx: AdapterContext) {
  const templates = templateSelectRow(ctx.templates.list(), session.key, session.place.ownerId);
  const count = files.facts?.faces.length ?? 0;
  if (!files.facts || count < 2) return { content: TEXT.pickTemplatePrompt, components: [templates] };
  const faces = faceSelectRow(count, session.request.face ?? 'all', session.key, session.place.ownerId, 'face');
  const picture = await drawFaceNumbers(files.photo, files.facts);
  return {
    content: `${TEXT.pickFacePrompt(count)}\n${TEXT.pickTemplatePrompt}`,
    components: [faces, templates],
    files: [{ attachment: picture, name: 'faces.jpg' }],
  };
}

function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/**
 * Checks the session's files, then asks for a template (ephemeral select) when none was given, or defers
 * publicly and renders. A file that fails the check is told to the requester only, and nothing is offered.
 */
export async function checkThenAnswer(interaction: RepliableInteraction, session: MemeSession, receivedAtMs: number, ctx: AdapterContext): Promise<void> {
  const asksTemplate = !session.request.templateId && !session.clip;
  const checking = downloadAndCheck(session, ctx);
  const budgetMs = Math.min(ANSWER_BUDGET_MS, Math.max(0, ANSWER_BUDGET_MS - (ctx.nowMs() - receivedAtMs)));
  if (!(await settlesWithin(checking, budgetMs))) {
    await interaction.deferReply(asksTemplate ? { flags: MessageFlags.Ephemeral } : {});
  }
  let files: CheckedFiles;
  try {
    files = await checking;
  } catch (error) {
    const { code, text } = userTextFor(error, interaction.locale);
    if (code === 'INTERNAL') ctx.log('discord: checking the inputs failed', error);
    // A deferred menu is already private: edit it; a deferred render was public: remove it, tell privately.
    if (asksTemplate && interaction.deferred) await interaction.editReply({ content: text });
    else await replyPrivately(interaction, text);
    return;
  }
  if (asksTemplate) {
    const answer = await templateMenu(session, files, ctx);
    if (interaction.deferred) await interaction.editReply(answer);
    else await interaction.reply({ ...answer, flags: MessageFlags.Ephemeral });
    return;
  }
  if (!interaction.deferred) await interaction.deferReply();
  if (files.note) {
    await interaction.followUp({ content: files.note, flags: MessageFlags.Ephemeral }).catch((error: unknown) => ctx.log('discord: could not send the trim note', error));
  }
  await startRender(interaction, session, receivedAtMs, ctx, { inputs: files });
}
