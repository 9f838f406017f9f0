// Discord-only wording: button labels, menu prompts, gallery headings, notes about buttons and guild rules.
// Statuses and error lines shared by every platform come from bots/messages.ts, not from here.

import { MAX_ANIMATED_FACES } from '../../pipeline/face/face-choice.ts';

export const LABELS = {
  anotherTake: 'Another take',
  otherTemplate: 'Other template',
  cancel: 'Cancel',
  mp4: 'MP4 (better quality)',
  previous: 'Previous',
  next: 'Next',
  pickTemplate: 'Pick a template',
  pickFace: 'Which faces move?',
  allFaces: 'All faces',
  face: (n: number) => `Face ${n}`,
  makeItAMeme: 'Make it a meme',
  memeifyAvatar: 'Memeify avatar',
  showMyMeme: 'Show my meme',
  keepThisOne: 'Keep this one',
} as const;

export const TEXT = {
  /** A ten-cell bar drawn before the shared progress line. */
  progressBar: (fraction: number) => {
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * 10);
    return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)}`;
  },
  lateDelivery: (userId: string, done: string) => `<@${userId}> ${done} (It took longer than Discord lets a reply wait.)`,
  lateFailure: (userId: string, text: string) => `<@${userId}> ${text}`,
  notYours: 'These buttons belong to the person who asked for this meme. Try /meme yourself!',
  channelNotAllowed: 'Memes are not enabled in this channel. Ask an admin which channels to use.',
  dailyCapReached: (cap: number) => `You have made ${cap} memes here today, the daily limit. Try again tomorrow.`,
  noImageInMessage: 'That message has no image I can use. Pick a message with a photo attached.',
  pickTemplatePrompt: 'Which template should this photo perform?',
  pickFacePrompt: (count: number) =>
    `I found ${count} faces (numbered in the picture): ${count > MAX_ANIMATED_FACES ? `the ${MAX_ANIMATED_FACES} largest` : 'all of them'} will move, or pick one.`,
  expired: 'This menu has expired. Run the command again.',
  galleryTitle: (page: number, pages: number) => `Templates (page ${page + 1} of ${pages})`,
  settingsAdminsOnly: 'Only members who can manage this server can change these settings.',
  settingsServerOnly:
    'Settings belong to a server that added Memeloom (Server Settings → Integrations). Here you are using your own install, so there is nothing to set.',
  handover:
    'Still rendering. Discord lets me update this message for 15 minutes only, and I cannot post here myself: press **Show my meme** and it will appear here (right away if it is done).',
  stillRendering: 'Still rendering…',
  outlivesToken: '(That is longer than Discord lets me update this message: a **Show my meme** button will bring it here.)',
  settingsSummary: (s: { allowedChannelIds?: string[]; dailyCapPerUser?: number; engine?: string; upgrade?: string }) =>
    [
      `Channels: ${s.allowedChannelIds?.length ? s.allowedChannelIds.map((id) => `<#${id}>`).join(', ') : 'all'}`,
      `Daily cap per member: ${s.dailyCapPerUser ?? 'none'}`,
      `Engine: ${s.engine ?? 'full'}`,
      `Preview first, then HD: ${s.upgrade ?? 'on'}`,
    ].join('\n'),
  galleryFooter: 'Use /meme template:<name> with a photo.',
} as const;
