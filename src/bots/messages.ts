// Every user-facing text, keyed by status or error code, in one table per language (locales/<lang>.ts).
// Adapters and the service ask here; nothing else writes words for users.
import { ERROR_CODES, type ErrorCode, toMemeError } from '../errors.ts';
import type { StageName } from '../pipeline/types.ts';
import { en } from './locales/en.ts';
import type { ProgressUpdate } from './service-types.ts';

export const STATUS_CODES = ['queued', 'position', 'rendering', 'done', 'cached', 'shutdownNotice'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];
export type MessageCode = StatusCode | ErrorCode;

export interface Locale {
  code: string;
  /** Text per code; `{name}` placeholders, and `[...]` parts dropped when a placeholder inside is unknown. */
  messages: Record<MessageCode, string>;
  stages: Record<StageName, string>;
  duration(seconds: number): string;
  bytes(count: number): string;
}

export const LOCALES: Readonly<Record<string, Locale>> = Object.freeze({ en });
export const DEFAULT_LANGUAGE = 'en';

export type MessageParams = Record<string, string | number | undefined>;

/** Picks a locale from a platform language tag such as `en-US`; falls back to English. */
export function localeFor(language?: string): Locale {
  const base = language?.toLowerCase().split(/[-_]/)[0];
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
  const limitBytes = typeof d.maxBytes === 'number' ? d.maxBytes : undefined;
  const params: MessageParams = {
    limit: limitBytes !== undefined ? locale.bytes(limitBytes) : typeof d.maxSec === 'number' ? locale.duration(d.maxSec) : undefined,
    retryAfter: typeof d.retryAfterSec === 'number' ? locale.duration(d.retryAfterSec) : undefined,
    templateId: typeof d.templateId === 'string' ? d.templateId : undefined,
    detail: typeof d.detail === 'string' ? d.detail : undefined,
  };
  return { code: memeError.code, text: fill(locale.messages[memeError.code], params) };
}

/** The status line for a progress update: a queue position while waiting, the stage and percentage while running. */
export function progressText(update: ProgressUpdate, language?: string): string {
  const locale = localeFor(language);
  const eta = update.etaSec !== undefined && update.etaSec > 0 ? locale.duration(update.etaSec) : undefined;
  if (update.stage === undefined) {
    return fill(locale.messages[update.position !== undefined ? 'position' : 'queued'], { position: update.position, eta });
  }
  const percent = update.fraction !== undefined ? Math.round(update.fraction * 100) : undefined;
  return fill(locale.messages.rendering, { stage: locale.stages[update.stage], percent, eta });
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
