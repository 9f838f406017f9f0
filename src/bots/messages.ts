// Every user-facing text, keyed by status or error code, in one table per language (locales/<lang>.ts).
// Adapters and the service ask here; nothing else writes words for users.
import type { InputLimits } from '../config.ts';
import { ERROR_CODES, type ErrorCode, toMemeError } from '../errors.ts';
import { en } from './locales/en.ts';
import { type Locale, type MessageCode, STATUS_CODES } from './locales/locale.ts';
import type { PreviewKept, ProgressUpdate } from './service-types.ts';

export const LOCALES: Readonly<Record<string, Locale>> = Object.freeze({ en });
const DEFAULT_LANGUAGE = 'en';

type MessageParams = Record<string, string | number | undefined>;

/** Picks a locale from a platform language tag such as `en-US` (or an Accept-Language list: its first tag); falls back to English. */
export function localeFor(language?: string): Locale {
  const base = language?.toLowerCase().split(/[-_,;\s]/)[0];
  return (base && LOCALES[base]) || LOCALES[DEFAULT_LANGUAGE];
}

/** The text for a code with its placeholders filled. */
export function message(code: MessageCode, params: MessageParams = {}, language?: string): string {
  return fill(localeFor(language).messages[code], params);
}

/** The user text for anything thrown: coded errors get their own text, anything else INTERNAL's. */
export function errorText(error: unknown, language?: string): { code: ErrorCode; text: string } {
  const memeError = toMemeError(error);
  const locale = localeFor(language);
  const d = memeError.details;
  const params: MessageParams = {
    ...measureAndLimit(d, locale),
    retryAfter: typeof d.retryAfterSec === 'number' ? locale.duration(d.retryAfterSec) : undefined,
    // An operator's count cap (memes per user at once, waiting memes, memes per window) and its window.
    max: typeof d.max === 'number' ? d.max : undefined,
    window: typeof d.windowSec === 'number' ? locale.duration(d.windowSec) : undefined,
    templateId: typeof d.templateId === 'string' ? d.templateId : undefined,
    detail: typeof d.detail === 'string' ? d.detail : undefined,
  };
  return { code: memeError.code, text: fill(locale.messages[memeError.code], params) };
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * `{size}` (what the user sent) and `{limit}` (what is allowed) for a "too big / too long / too small" error,
 * from the details every thrower uses: maxBytes+bytes, maxPixels+width+height, minSide or maxSide+width+height,
 * maxDurationSec+durationSec, maxChars+chars.
 */
function measureAndLimit(d: Record<string, unknown>, locale: Locale): { size?: string; limit?: string } {
  const width = num(d.width);
  const height = num(d.height);
  const dimensions = width !== undefined && height !== undefined ? locale.pixels(width, height) : undefined;
  const maxPixels = num(d.maxPixels);
  if (maxPixels !== undefined) return { size: dimensions, limit: locale.megapixels(maxPixels) };
  const side = num(d.minSide) ?? num(d.maxSide);
  if (side !== undefined) return { size: dimensions, limit: locale.side(side) };
  const maxBytes = num(d.maxBytes);
  if (maxBytes !== undefined) return { size: num(d.bytes) !== undefined ? locale.bytes(num(d.bytes)!) : undefined, limit: locale.bytes(maxBytes) };
  const maxSec = num(d.maxDurationSec);
  if (maxSec !== undefined) return { size: num(d.durationSec) !== undefined ? locale.duration(num(d.durationSec)!) : undefined, limit: locale.duration(maxSec) };
  const maxChars = num(d.maxChars);
  if (maxChars !== undefined) return { size: num(d.chars) !== undefined ? locale.characters(num(d.chars)!) : undefined, limit: locale.characters(maxChars) };
  return {};
}

/** The sentence the playground shows about what it accepts, from the one set of limits in config. */
export function limitsText(limits: InputLimits, language?: string): string {
  const locale = localeFor(language);
  return fill(locale.messages.limits, {
    photoBytes: locale.bytes(limits.maxPhotoBytes),
    photoPixels: locale.megapixels(limits.maxPhotoPixels),
    clipBytes: locale.bytes(limits.maxDriverBytes),
    clipSeconds: locale.duration(limits.maxDriverSeconds),
    captionChars: locale.characters(limits.maxCaptionChars),
  });
}

/** The note for a clip longer than the limit: it is trimmed to its first `maxSec` seconds, not refused. */
export function clipTrimmedText(durationSec: number, maxSec: number, language?: string): string {
  const locale = localeFor(language);
  return fill(locale.messages.clipTrimmed, { size: locale.duration(durationSec), limit: locale.duration(maxSec) });
}

/** The status line for a progress update: a queue position while waiting, the stage and percentage while running. */
export function progressText(update: ProgressUpdate, language?: string): string {
  const locale = localeFor(language);
  const eta = etaText(update.etaSec, locale);
  if (update.stage === undefined) {
    return fill(locale.messages[update.position !== undefined ? 'position' : 'queued'], { position: update.position, eta });
  }
  const percent = update.fraction !== undefined ? Math.round(update.fraction * 100) : undefined;
  return fill(locale.messages.rendering, { stage: locale.stages[update.stage], percent, eta });
}

/** The same update as one short line, for a status that follows several requests at once (one line each). */
export function progressLine(update: ProgressUpdate, language?: string): string {
  const locale = localeFor(language);
  const eta = etaText(update.etaSec, locale);
  if (update.stage === undefined) return fill(locale.messages.waiting, { position: update.position, eta });
  const percent = update.fraction !== undefined ? Math.round(update.fraction * 100) : undefined;
  return fill(locale.messages.working, { stage: locale.stages[update.stage], percent, eta });
}

/** What a preview says about its HD version while that is on the way: its place in line, then its progress. */
export function hdStatusText(update: ProgressUpdate | undefined, language?: string): string {
  const locale = localeFor(language);
  const eta = etaText(update?.etaSec, locale);
  if (update?.stage === undefined) return fill(locale.messages.hdWaiting, { position: update?.position, eta });
  const percent = update.fraction !== undefined ? Math.round(update.fraction * 100) : undefined;
  return fill(locale.messages.hdRendering, { percent, eta });
}

/** The note a preview keeps when its HD version will not come: the reason's first sentence, or that it was kept. */
export function previewKeptText(outcome: PreviewKept, language?: string): string {
  const locale = localeFor(language);
  if (outcome.reason === 'kept') return locale.messages.hdKept;
  const reason = /^.*?[.!?](?=\s|$)/.exec(outcome.text)?.[0] ?? outcome.text;
  return fill(locale.messages.hdFailed, { reason });
}

/**
 * What the person should know about a result (the render's notes: faces past the six largest or under the size
 * floor left still, caption characters drawn as boxes), one line each, within `maxChars` (a platform's caption or
 * message limit): whole notes while they fit, then the next one cut with an ellipsis. Undefined when there is none.
 * The pipeline words its notes in English; they are passed through here so the bots show them one way.
 */
export function resultNotesText(notes: readonly string[] | undefined, maxChars: number, language?: string): string | undefined {
  if (!notes?.length || maxChars <= 0) return undefined;
  const locale = localeFor(language);
  const lines: string[] = [];
  let used = 0;
  for (const note of notes) {
    const line = fill(locale.messages.resultNote, { note: note.replace(/[.\s]+$/, '') });
    const room = maxChars - used - (lines.length > 0 ? 1 : 0);
    if (line.length <= room) {
      lines.push(line);
      used += line.length + (lines.length > 1 ? 1 : 0);
      continue;
    }
    if (room > 1) lines.push(`${line.slice(0, room - 1)}…`);
    break;
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/**
 * An estimate as people say it: to 5 s under half a minute, to 10 s under a minute, then minutes. A status that
 * reads the same after a small change of estimate is not edited for it.
 */
function etaText(etaSec: number | undefined, locale: Locale): string | undefined {
  if (etaSec === undefined || etaSec <= 0) return undefined;
  const step = etaSec < 30 ? 5 : etaSec < 60 ? 10 : 1;
  return locale.duration(Math.max(1, Math.round(etaSec / step) * step));
}

function fill(template: string, params: MessageParams): string {
  const known = (name: string) => params[name] !== undefined && params[name] !== '';
  const optional = template.replace(/\[([^\]]*)\]/g, (_, inner: string) => {
    const names = [...inner.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    return names.every(known) ? inner : '';
  });
  return optional.replace(/\{(\w+)\}/g, (whole, name: string) => (known(name) ? String(params[name]) : whole));
}

/** Every code a locale must cover; used by tests to check each language file. */
export const MESSAGE_CODES: readonly MessageCode[] = [...STATUS_CODES, ...ERROR_CODES];
