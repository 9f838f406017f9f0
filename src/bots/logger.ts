// Structured JSON-lines logging for the bot process. Fields pass through a scrubber: tokens and secrets are
// masked, Buffers become their length, so photo bytes and credentials never reach a log.
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /token|secret|password|authorization|cookie|api[-_]?key/i;

/** Makes a value safe to log: secrets masked, binary summarised, errors flattened, depth bounded. */
export function scrub(value: unknown, depth = 0): unknown {
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

// Bot API URLs carry the token in their path, so error messages can too: mask anything shaped like one.
const TELEGRAM_TOKEN = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export interface LoggerOptions {
  level?: LogLevel;
  stream?: Writable;
  base?: LogFields;
  /** Values (tokens, webhook secrets) masked wherever they appear, including inside error messages. */
  secrets?: (string | undefined)[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = RANK[options.level ?? 'info'];
  const stream = options.stream ?? process.stdout;
  const base = options.base ?? {};
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < minimum) return;
    const record = { time: new Date().toISOString(), level, msg, ...(scrub({ ...base, ...fields }) as LogFields) };
    let line = JSON.stringify(record).replace(TELEGRAM_TOKEN, '<redacted>');
    for (const secret of secrets) line = line.split(JSON.stringify(secret).slice(1, -1)).join('<redacted>');
    stream.write(`${line}\n`);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
