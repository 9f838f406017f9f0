// Telegram-only wording: command descriptions, help, picker and status lines, button labels.
// Error and progress texts are not here: they come from bots/messages.ts, shared by every platform.
import { STYLE_PRESETS } from '../../models/model-files.ts';
import { MAX_ANIMATED_FACES } from '../../pipeline/face/face-choice.ts';
import type { TemplateInfo } from '../../templates/template-types.ts';

/** Registered with setMyCommands on start; the order is the order Telegram shows. */
export const BOT_COMMANDS = [
  { command: 'meme', description: 'Animate a photo: /meme <template> [style:NAME] [top | bottom]' },
  { command: 'drive', description: 'Use your own clip: send a video with /drive as a reply to a photo' },
  { command: 'templates', description: 'List the meme templates' },
  { command: 'cancel', description: 'Cancel your running meme' },
  { command: 'help', description: 'How to use the bot' },
  { command: 'start', description: 'Say hello' },
] as const;

export const HELP_TEXT = [
  'Send me a photo of a face and pick a template: I make the face perform the meme and send it back as a looping animation.',
  '',
  '/meme <template> [top text | bottom text]: as the caption of a photo, or as a reply to a photo.',
  '/meme alone shows the template picker. Without text, the template\'s own caption is used; /meme <template> - has none.',
  `style:NAME before the captions gives full-quality memes a look (${STYLE_PRESETS.map((s) => s.id).join(', ')}), e.g. /meme smug style:ghibli; it works with /drive too.`,
  '/drive: send a video or GIF with /drive as a reply to your photo to use your own motion.',
  '/templates: the list of templates.',
  '/cancel: stop your running meme.',
  '',
  'Under each result: Another take, Other template, As sticker, As GIF file, Add to my stickers (your own pack).',
  'In any chat, type @ and my name and a template (e.g. smug) to send a meme of your latest photo there.',
].join('\n');

export const START_TEXT = `Hi! ${HELP_TEXT}`;

export const TEXTS = {
  pickFace: (count: number) =>
    `I found ${count} faces: ${count > MAX_ANIMATED_FACES ? `the ${MAX_ANIMATED_FACES} largest` : 'all of them'} will move. To animate only one, tap its number, then pick a template.`,
  faceChosen: (face: 'all' | number) => (face === 'all' ? 'All faces will move.' : `Only face ${face} will move.`),
  pickTemplate: (page: number, pages: number) => `Pick a template${pages > 1 ? ` (page ${page + 1}/${pages})` : ''}:`,
  fetchingPhoto: 'Getting your photo…',
  fetchingPhotoLine: 'getting the photo…',
  /** Status board labels: a request made with the user's own clip; a requester without a first name. */
  ownClip: 'own clip',
  someone: 'Someone',
  cancelled: 'Cancelled your meme.',
  nothingToCancel: 'You have nothing running.',
  needPhoto: 'Send a photo of a face with /meme as its caption, or reply to a photo with /meme.',
  needPhotoForDrive: 'Reply to a photo with a video or GIF captioned /drive (or send a photo first, then the clip with /drive).',
  needClip: 'Send a video or GIF with /drive as its caption, as a reply to your photo.',
  clipHint: 'To use this clip as the motion, send it again with /drive as the caption, as a reply to your photo.',
  expired: 'That button has expired: send the photo again.',
  templateList: (templates: TemplateInfo[]) =>
    ['Templates (use /meme <name>):', ...templates.map((t) => `• ${t.id}: ${t.title}`)].join('\n'),
  inline: {
    /** Above the (empty) results when the user has sent the bot no photo yet; opens the private chat. */
    needPhoto: 'Send me a photo first',
    /** What the private chat answers to /start from that button. */
    started: (bot: string) => `Send me a photo of a face here. Then type @${bot} and a template name in any chat, and pick one to send it there.`,
    making: (title: string) => `⏳ Making “${title}”…`,
    description: (template: TemplateInfo) => template.tags.join(', '),
    photoGone: 'I no longer have the photo for this: send it to me again, then try once more.',
  },
  stickers: {
    added: (title: string, link: string) => `Added to your sticker pack “${title}”: ${link}`,
    addedToNew: (title: string, link: string, fullTitle: string, max: number) =>
      `“${fullTitle}” is full (${max} stickers), so I started “${title}”: ${link}`,
    allFull: (packs: number, max: number) => `Your ${packs} sticker packs are full (${max} stickers each): remove some in @Stickers, then try again.`,
    startFirst: (bot: string) => `Telegram only lets me make a sticker pack for someone who has started a chat with me: open @${bot}, press Start, then tap again.`,
    openPack: '📦 Open the pack',
  },
  buttons: {
    random: '🎲 Random',
    allFaces: 'All faces',
    previous: '◀',
    next: '▶',
    anotherTake: '🔁 Another take',
    otherTemplate: '🎭 Other template',
    asSticker: '🏷 As sticker',
    asGif: '📎 As GIF file',
    addToStickers: '➕ Add to my stickers',
    anotherTemplate: '🎭 Another template',
    keepThisOne: '✋ Keep this one',
  },
  /** Answers to "Keep this one". */
  kept: 'Kept: no HD version for this one.',
  notYourPreview: 'Only the person who asked for this meme can keep it.',
} as const;
