// Turns anything a command throws into one line for the terminal: coded errors get their user text,
// unexpected ones a short message (the stack only with MEMELOOM_DEBUG=1).
import { toMemeError } from '../errors.ts';

/** Node's util.parseArgs rejects unknown or malformed options with ERR_PARSE_ARGS_* codes: the user's typo. */
function isOptionError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** `command` names the subcommand that was running, so a mistyped option can point at its --help. */
export function formatCliError(error: unknown, command = '<command>'): string {
  if (isOptionError(error)) return `memeloom: BAD_OPTION: ${error.message.split('. ')[0]} (memeloom ${command} --help lists the options)`;
  const memeError = toMemeError(error);
  return `memeloom: ${memeError.code}: ${memeError.message}`;
}
