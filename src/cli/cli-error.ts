// Turns anything a command throws into one line for the terminal: coded errors get their user text,
// unexpected ones a short message (the stack only with MEMELOOM_DEBUG=1).
import { toMemeError } from '../errors.ts';

export function formatCliError(error: unknown): string {
  const memeError = toMemeError(error);
  return `memeloom: ${memeError.code}: ${memeError.message}`;
}
