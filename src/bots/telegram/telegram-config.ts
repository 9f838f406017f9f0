// What the Telegram adapter needs to start: token, API root, webhook settings and Bot API limits.
// Plain data; src/config.ts builds it from the environment, nothing here reads process.env.

/** Telegram's flood limits as the adapter enforces them before the server has to. */
export interface TelegramLimits {
  /** Minimum gap between two messages (sends and edits) in one chat. */
  chatIntervalMs: number;
  /** Window and count for the per-group cap (Telegram: 20 messages a minute in a group). */
  groupWindowMs: number;
  groupMaxPerWindow: number;
  /** How many times one call is retried after a 429 before giving up. */
  maxRetries: number;
}

export interface TelegramConfig {
  token: string;
  /** Bot API root, e.g. a local Bot API server or a test fake; defaults to https://api.telegram.org. */
  apiRoot?: string;
  /** Public HTTPS URL Telegram posts updates to; long polling when unset. */
  webhookUrl?: string;
  /** Checked against the X-Telegram-Bot-Api-Secret-Token header of each webhook request. */
  webhookSecret?: string;
  /** Local port the webhook server listens on (default 8443). */
  webhookPort?: number;
  /** Overrides of the default flood limits (tests shrink the windows). */
  limits?: Partial<TelegramLimits>;
  /** How often "sending video…" is refreshed while a job renders (Telegram shows it for ~5 s). */
  chatActionIntervalMs?: number;
}

export const DEFAULT_TELEGRAM_LIMITS: TelegramLimits = {
  chatIntervalMs: 1000,
  groupWindowMs: 60_000,
  groupMaxPerWindow: 20,
  maxRetries: 3,
};

/** Bots may download files up to 20 MB with getFile. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
/** Bots may upload files up to 50 MB. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Video stickers: WebM VP9, at most 256 KB. */
export const MAX_STICKER_BYTES = 256 * 1024;
export const DEFAULT_WEBHOOK_PORT = 8443;
export const DEFAULT_CHAT_ACTION_INTERVAL_MS = 4000;
