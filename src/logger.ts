// Structured JSON-lines logging for every process (bot, worker). Fields pass through a scrubber: fields named like
// secrets are masked, Buffers become their length, so photo bytes and credentials never reach a log. Secret
// values and the shapes of secrets (e.g. a Telegram token inside a Bot API URL) are supplied by whoever owns the
// secret (`masking`); this module knows no platform. A leaf: it imports nothing of ours.
import type { Writable } from 'node:stream';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** The same logger that also masks these values and shapes, wherever they appear (error messages too). */
  masking(rules: MaskRules): Logger;
}

/** What a secret's owner asks the logger to hide. */
export interface MaskRules {
  /** Exact values (tokens, webhook secrets); unset ones and those under 4 characters are ignored. */
  secrets?: readonly (string | undefined)[];
  /** Shapes of secrets that can appear without being configured here (global regular expressions). */
  patterns?: readonly RegExp[];
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /token|secret|password|authorization|cookie|api[-_]?key/i;

/** Makes a value safe to log: secrets masked, binary summarised, errors flattened, depth bounded. */
function scrub(value: unknown, depth = 0): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  if (depth > 4) return '<deep>';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => scrub(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? '<redacted>' : scrub(inner, depth + 1);
    return out;
  }
  if (typeof value === 'string' && value.length > 500) return `${value.slice(0, 500)}…`;
  return value;
}

interface LoggerOptions extends MaskRules {
  level?: LogLevel;
  stream?: Writable;
  base?: LogFields;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = RANK[options.level ?? 'info'];
  const stream = options.stream ?? process.stdout;
  const base = options.base ?? {};
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const patterns = options.patterns ?? [];
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < minimum) return;
    const record = { time: new Date().toISOString(), level, msg, ...(scrub({ ...base, ...fields }) as LogFields) };
    let line = JSON.stringify(record);
    for (const pattern of patterns) line = line.replace(pattern, '<redacted>');
    for (const secret of secrets) line = line.split(JSON.stringify(secret).slice(1, -1)).join('<redacted>');
    stream.write(`${line}\n`);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
    masking: (rules) =>
      createLogger({
        ...options,
        secrets: [...(options.secrets ?? []), ...(rules.secrets ?? [])],
        patterns: [...patterns, ...(rules.patterns ?? [])],
      }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  masking: () => silentLogger,
};
