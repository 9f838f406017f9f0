// What the Telegram adapter needs to start: token, API root, webhook settings and Bot API limits.
// Plain data; src/config.ts builds it from the environment, nothing here reads process.env. The limits are
// applied by the one pacing rule (bots/pacing/pace-rule.ts); this file only states Telegram's numbers.
import type { OutputFit, OutputFormat } from '../../pipeline/types.ts';
import type { PaceLimits } from '../pacing/pace-rule.ts';

/** Telegram's flood limits as the adapter enforces them before the server has to. */
export interface TelegramLimits {
  /** Minimum gap between two messages (sends and edits) in one chat. */
  chatIntervalMs: number;
  /** Window and count for the per-group cap (Telegram: 20 messages a minute in a group). */
  groupWindowMs: number;
  groupMaxPerWindow: number;
  /** How many times one call is retried after a 429 before giving up. */
  maxRetries: number;
  /** Least time between two progress edits of a status in a private chat, and in a group (its budget is shared). */
  statusIntervalMs: number;
  groupStatusIntervalMs: number;
  /** Least time between two edits that only move queue positions. */
  waitingIntervalMs: number;
  /** How long a status acknowledging a new request waits for others, so a burst of requests costs one message. */
  ackGatherMs: number;
  /** The bot's messages to all chats together (Telegram: about 30 a second). */
  globalWindowMs: number;
  globalMaxPerWindow: number;
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
  /**
   * TELEGRAM_MEDIA_CHAT_ID: a chat the bot may post into (a private channel with the bot as admin). The bot
   * uploads the template previews there once, so inline results show them instantly by file_id, and puts
   * inline renders there before they replace the preview (an inline message can only be edited to a file_id).
   */
  mediaChatId?: number;
  /** TELEGRAM_PREVIEW_BASE_URL: public URL under which `/templates/<id>/preview.gif` is served (the playground's path). */
  previewBaseUrl?: string;
  /** MEMELOOM_PROGRESS_INTERVAL_MS: the operator's least time between two progress edits (Telegram's may be longer). */
  progressIntervalMs?: number;
}

export const DEFAULT_TELEGRAM_LIMITS: TelegramLimits = {
  chatIntervalMs: 1000,
  groupWindowMs: 60_000,
  groupMaxPerWindow: 20,
  maxRetries: 3,
  statusIntervalMs: 1000,
  // 60 s / 20: the pace a group's budget sustains.
  groupStatusIntervalMs: 3000,
  waitingIntervalMs: 3000,
  ackGatherMs: 200,
  globalWindowMs: 1000,
  globalMaxPerWindow: 30,
};

/** The adapter's limits: Telegram's defaults, the config's overrides, the operator's progress interval as a floor. */
export function telegramLimits(config: Pick<TelegramConfig, 'limits' | 'progressIntervalMs'>): TelegramLimits {
  const limits = { ...DEFAULT_TELEGRAM_LIMITS, ...config.limits };
  const floor = config.progressIntervalMs ?? 0;
  return { ...limits, statusIntervalMs: Math.max(limits.statusIntervalMs, floor), groupStatusIntervalMs: Math.max(limits.groupStatusIntervalMs, floor) };
}

/** Telegram's limits for one chat as the pacing rule reads them: groups share a 20-a-minute budget. */
export function paceLimits(limits: TelegramLimits, isGroup: boolean): PaceLimits {
  const base = { chatGapMs: limits.chatIntervalMs, gatherMs: limits.ackGatherMs, waitingGapMs: limits.waitingIntervalMs };
  if (!isGroup) return { ...base, statusGapMs: limits.statusIntervalMs };
  return { ...base, statusGapMs: limits.groupStatusIntervalMs, window: { ms: limits.groupWindowMs, max: limits.groupMaxPerWindow } };
}

/** Bots may download files up to 20 MB with getFile. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
/** Bots may upload files up to 50 MB. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Video stickers: WebM VP9, at most 256 KB. */
export const MAX_STICKER_BYTES = 256 * 1024;
/** Bot API: a media caption is at most 1024 characters (after entity parsing). */
export const MAX_CAPTION_CHARS = 1024;
/** Stickers in one set (Bot API addStickerToSet: emoji sets 200, other sets 120). */
export const MAX_STICKERS_PER_SET = 120;
/** Video stickers: 512 px on the longest side, at most 3 s, at most 30 fps. */
const VIDEO_STICKER_FIT: OutputFit = { longSide: 512, maxSeconds: 3, maxFps: 30 };

/** The output profile Telegram needs for a format: WebM is sent as a video sticker, the rest as files. */
export function telegramOutput(format: OutputFormat): { maxBytes: number; fit?: OutputFit } {
  return format === 'webm' ? { maxBytes: MAX_STICKER_BYTES, fit: VIDEO_STICKER_FIT } : { maxBytes: MAX_UPLOAD_BYTES };
}
export const DEFAULT_WEBHOOK_PORT = 8443;
export const DEFAULT_CHAT_ACTION_INTERVAL_MS = 4000;
