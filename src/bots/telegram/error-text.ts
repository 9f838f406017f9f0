// Bridges coded failures and progress updates to the shared user texts in bots/messages.ts, in the language
// Telegram reports for the user. No wording here.
import { type ErrorCode, MemeError } from '../../errors.ts';
import { errorText, message, progressText } from '../messages.ts';
import type { ProgressUpdate } from '../service-types.ts';

/** The user text for anything thrown (coded errors get their own text, anything else INTERNAL's). */
export function userErrorText(error: unknown, language?: string): string {
  return errorText(error, language).text;
}

export function codeText(code: ErrorCode, details: Record<string, unknown> = {}, language?: string): string {
  return errorText(new MemeError(code, code, details), language).text;
}

export function statusText(update: ProgressUpdate | undefined, language?: string): string {
  return update ? progressText(update, language) : message('queued', {}, language);
}
