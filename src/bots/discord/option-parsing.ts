// Turns slash-command option values (already plain strings/numbers) into a checked meme request part,
// and picks the usable image from a message's attachments. Pure; throws InputError with a code.
import type { InputLimits } from '../../config.ts';
import { InputError } from '../../errors.ts';
import { stylePreset } from '../../models/model-files.ts';
import type { Captions } from '../../pipeline/meme-spec.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import { checkCaptionLength } from '../input-checks.ts';

interface RawMemeOptions {
  template?: string | null;
  top?: string | null;
  bottom?: string | null;
  format?: string | null;
  /** The `no-caption` option: not even the template's default caption. */
  noCaption?: boolean | null;
  style?: string | null;
}

export interface ParsedMemeOptions {
  /** Undefined when the user left it empty: the adapter then asks with a select menu. */
  templateId?: string;
  captions?: Captions;
  noCaption?: boolean;
  format: 'gif' | 'mp4';
  /** A style id; whether this bot can render it is the service's call. */
  style?: string;
}

/** A file as Discord describes it, before any byte is downloaded. */
export interface RemoteFile {
  url: string;
  name: string;
  sizeBytes: number;
  contentType?: string;
}

function cleanCaption(value: string | null | undefined, limits: InputLimits): string | undefined {
  const text = value?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  checkCaptionLength(text, limits);
  return text;
}

export function parseMemeOptions(raw: RawMemeOptions, catalog: TemplateCatalog, limits: InputLimits): ParsedMemeOptions {
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
  const top = cleanCaption(raw.top, limits);
  const bottom = cleanCaption(raw.bottom, limits);
  const captions = top || bottom ? { ...(top ? { top } : {}), ...(bottom ? { bottom } : {}) } : undefined;
  const style = raw.style?.trim() ? stylePreset(raw.style).id : undefined;
  return { templateId, captions, format, ...(raw.noCaption ? { noCaption: true } : {}), ...(style ? { style } : {}) };
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif|heic)$/i;
const VIDEO_EXTENSIONS = /\.(mp4|webm|mov|mkv|gif)$/i;

function isImageFile(file: RemoteFile): boolean {
  return file.contentType ? file.contentType.startsWith('image/') : IMAGE_EXTENSIONS.test(file.name);
}

function isClipFile(file: RemoteFile): boolean {
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
    throw new InputError(code, `${file.name} is ${file.sizeBytes} bytes, over ${maxBytes}`, { bytes: file.sizeBytes, maxBytes });
  }
}

/** The first image among a message's attachments and embeds, if any. */
export function pickMessageImage(attachments: RemoteFile[], embedImageUrls: string[]): RemoteFile | undefined {
  const attached = attachments.find(isImageFile);
  if (attached) return attached;
  const url = embedImageUrls[0];
  return url ? { url, name: new URL(url).pathname.split('/').pop() ?? 'image', sizeBytes: 0 } : undefined;
}
