// The shape of one language's texts (locales/<lang>.ts): a text per status and error code, stage names, and how
// that language says durations, sizes and counts. Listed in LOCALES in ../messages.ts.
import type { ErrorCode } from '../../errors.ts';
import type { StageName } from '../../pipeline/types.ts';

export const STATUS_CODES = ['queued', 'position', 'rendering', 'waiting', 'working', 'done', 'cached', 'shutdownNotice', 'clipTrimmed', 'limits', 'hdWaiting', 'hdRendering', 'hdFailed', 'hdKept', 'resultNote'] as const;
type StatusCode = (typeof STATUS_CODES)[number];
export type MessageCode = StatusCode | ErrorCode;

export interface Locale {
  code: string;
  /** Text per code; `{name}` placeholders, and `[...]` parts dropped when a placeholder inside is unknown. */
  messages: Record<MessageCode, string>;
  stages: Record<StageName, string>;
  duration(seconds: number): string;
  bytes(count: number): string;
  megapixels(count: number): string;
  pixels(width: number, height: number): string;
  characters(count: number): string;
  /** A length of each side of a picture, e.g. "64 pixels a side". */
  side(count: number): string;
}

