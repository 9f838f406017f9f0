// The emoji a template's sticker is filed under in a sticker pack (InputSticker.emoji_list, 1-20 emoji): chosen
// from the template's tags, so "😂" finds the big laugh in the user's pack. Pure lookup.
import type { TemplateInfo } from '../../templates/template-types.ts';

const BY_TAG: Record<string, string> = {
  laugh: '😂',
  happy: '😄',
  lol: '🤣',
  shock: '😱',
  surprised: '😮',
  wow: '😲',
  nice: '👌',
  nod: '🙂',
  agree: '👍',
  yes: '✅',
  sing: '🎤',
  pout: '🥺',
  sulk: '😤',
  rant: '🗣️',
  angry: '😠',
  talk: '💬',
  awkward: '😬',
  nervous: '😅',
  'side-eye': '👀',
  smug: '😏',
  grin: '😁',
  proud: '😎',
  stare: '😐',
  serious: '🧐',
  judging: '🤨',
  dance: '💃',
  cute: '🥰',
  explain: '👉',
  news: '📰',
  cheesy: '😃',
  excited: '🤩',
};

/** Known tags' emoji in tag order, without repeats; 🙂 when none is known (or there is no template: own clips). */
export function stickerEmoji(template: TemplateInfo | undefined): string[] {
  const emoji = [...new Set((template?.tags ?? []).map((tag) => BY_TAG[tag.toLowerCase()]).filter((e): e is string => e !== undefined))];
  return emoji.length > 0 ? emoji.slice(0, 20) : ['🙂'];
}
