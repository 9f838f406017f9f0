// Turns slash-command option values (already plain strings/numbers) into a checked meme request part,
// and picks the usable image from a message's attachments. Pure; throws InputError with a code.
import { InputError } from '../../errors.ts';
import type { Captions } from '../../pipeline/meme-spec.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';

/** Matches the service's default caption cap (MEMELOOM_MAX_CAPTION_CHARS). */
export const MAX_CAPTION_CHARS = 80;

export interface RawMemeOptions {
  template?: string | null;
  top?: string | null;
  bottom?: string | null;
  format?: string | null;
}

export interface ParsedMemeOptions {
  /** Undefined when the user left it empty: the adapter then asks with a select menu. */
  templateId?: string;
  captions?: Captions;
  format: 'gif' | 'mp4';
}

/** A file as Discord describes it, before any byte is downloaded. */
export interface RemoteFile {
  url: string;
  name: string;
  sizeBytes: number;
  contentType?: string;
}

function cleanCaption(value: string | null | undefined, which: string): string | undefined {
  const text = value?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  if (text.length > MAX_CAPTION_CHARS) {
    throw new InputError('BAD_OPTION', `${which} caption is over ${MAX_CAPTION_CHARS} characters`, { option: which });
  }
  return text;
}

export function parseMemeOptions(raw: RawMemeOptions, catalog: TemplateCatalog): ParsedMemeOptions {
  const format = raw.format ?? 'gif';
  if (format !== 'gif' && format !== 'mp4') throw new InputError('UNSUPPORTED_FORMAT', `format ${format}`, { format });
  const typed = raw.template?.trim();
  let templateId: string | undefined;
  if (typed) {
    // Autocomplete sends the id, but a user can also type a title and press enter.
    const byTitle = catalog.list().find((t) => t.title.toLowerCase() === typed.toLowerCase());
    templateId = catalog.has(typed) ? typed : byTitle?.id;
    if (!templateId) throw new InputError('UNKNOWN_TEMPLATE', `unknown template ${typed}`, { template: typed });
  }
  const top = cleanCaption(raw.top, 'top');
  const bottom = cleanCaption(raw.bottom, 'bottom');
  const captions = top || bottom ? { ...(top ? { top } : {}), ...(bottom ? { bottom } : {}) } : undefined;
  return { templateId, captions, format };
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif|heic)$/i;
const VIDEO_EXTENSIONS = /\.(mp4|webm|mov|mkv|gif)$/i;

export function isImageFile(file: RemoteFile): boolean {
  return file.contentType ? file.contentType.startsWith('image/') : IMAGE_EXTENSIONS.test(file.name);
}

export function isClipFile(file: RemoteFile): boolean {
  return file.contentType
    ? file.contentType.startsWith('video/') || file.contentType === 'image/gif'
    : VIDEO_EXTENSIONS.test(file.name);
}

/** Checks a file's declared type and size before downloading it. */
export function checkRemoteFile(file: RemoteFile, kind: 'photo' | 'clip', maxBytes: number): void {
  if (kind === 'photo' && !isImageFile(file)) throw new InputError('NOT_AN_IMAGE', `${file.name} is not an image`);
  if (kind === 'clip' && !isClipFile(file)) throw new InputError('NOT_A_VIDEO', `${file.name} is not a video`);
  if (file.sizeBytes > maxBytes) {
    const code = kind === 'photo' ? 'IMAGE_TOO_LARGE' : 'VIDEO_TOO_LARGE';
    throw new InputError(code, `${file.name} is ${file.sizeBytes} bytes, over ${maxBytes}`, { sizeBytes: file.sizeBytes, maxBytes });
  }
}

/** The first image among a message's attachments and embeds, if any. */
export function pickMessageImage(attachments: RemoteFile[], embedImageUrls: string[]): RemoteFile | undefined {
  const attached = attachments.find(isImageFile);
  if (attached) return attached;
  const url = embedImageUrls[0];
  return url ? { url, name: new URL(url).pathname.split('/').pop() ?? 'image', sizeBytes: 0 } : undefined;
}
