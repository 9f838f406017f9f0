// Parses command text from messages and captions: `/meme@bot tmpl style:ink top | bottom` → name, template,
// style, captions.
// Pure string work; it does not look templates up or touch telegraf.
import type { Captions } from '../../pipeline/meme-spec.ts';

interface ParsedCommand {
  /** Lower-case command name without the slash, e.g. `meme`. */
  name: string;
  /** Everything after the command, trimmed. */
  args: string;
}

interface MemeArgs {
  /** Lower-cased first word, when there is one before any `|`. */
  templateId?: string;
  /** The first word was `random`. */
  random?: boolean;
  /** `style:NAME` as given (a HelloMeme LoRA style; the service checks the name). */
  style?: string;
  captions?: Captions;
  /** A lone `-` where the captions go: no caption, not even the template's default. */
  noCaption?: boolean;
}

/** What the user types in place of captions to turn off the template's default caption. */
const NO_CAPTION_MARK = '-';

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/**
 * Reads a leading bot command. Commands addressed to another bot (`/meme@other_bot`) are not ours: in groups
 * several bots can share a command name.
 */
export function parseCommand(text: string | undefined, botUsername: string | undefined): ParsedCommand | undefined {
  if (!text) return undefined;
  const match = COMMAND.exec(text.trim());
  if (!match) return undefined;
  const addressee = match[2];
  if (addressee && botUsername && addressee.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: match[1]!.toLowerCase(), args: (match[3] ?? '').trim() };
}

function cleanCaption(text: string | undefined): string | undefined {
  const trimmed = text?.replace(/\s+/g, ' ').trim();
  return trimmed ? trimmed : undefined;
}

const STYLE_WORD = /(^|\s)style[:=](\S+)(?=\s|\||$)/i;

/**
 * `style:NAME` (or `style=NAME`) anywhere before the first `|`: the style, and the args without it. After the bar
 * it is caption text.
 */
export function takeStyle(args: string): { style?: string; rest: string } {
  const bar = args.indexOf('|');
  const head = bar === -1 ? args : args.slice(0, bar);
  const match = STYLE_WORD.exec(head);
  if (!match) return { rest: args };
  const rest = `${head.slice(0, match.index)}${match[1]}${head.slice(match.index + match[0].length)}`.replace(/\s+/g, ' ').trim();
  return { style: match[2], rest: bar === -1 ? rest : `${rest} ${args.slice(bar)}`.trim() };
}

/**
 * `tmpl top | bottom`, `tmpl | bottom`, `tmpl top`, `| bottom`, `random top`, `tmpl -` (no caption), `-`, or
 * nothing; `style:NAME` anywhere before `|`.
 */
export function parseMemeArgs(args: string): MemeArgs {
  const { style, rest: withoutStyle } = takeStyle(args.trim());
  const text = withoutStyle.trim();
  const result: MemeArgs = style ? { style } : {};
  if (text === '') return result;
  if (text === NO_CAPTION_MARK) return { ...result, noCaption: true };
  let rest = text;
  if (!text.startsWith('|')) {
    const firstWord = /^(\S+)\s*([\s\S]*)$/.exec(text)!;
    const word = firstWord[1]!.toLowerCase();
    rest = firstWord[2]!;
    if (word === 'random') result.random = true;
    else result.templateId = word;
  }
  if (rest.trim() === NO_CAPTION_MARK) return { ...result, noCaption: true };
  const captions = parseCaptions(rest);
  if (captions) result.captions = captions;
  return result;
}

/** `top | bottom`, `top`, `| bottom`; undefined when both are empty. */
export function parseCaptions(text: string): Captions | undefined {
  const bar = text.indexOf('|');
  const top = cleanCaption(bar === -1 ? text : text.slice(0, bar));
  const bottom = cleanCaption(bar === -1 ? undefined : text.slice(bar + 1));
  if (!top && !bottom) return undefined;
  return { ...(top ? { top } : {}), ...(bottom ? { bottom } : {}) };
}
