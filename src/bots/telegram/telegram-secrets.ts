// What of Telegram's must never reach a log: the bot token and the webhook secret, and anything shaped like a
// token (Bot API URLs carry it in their path, so an error message can too).
import type { MaskRules } from '../../logger.ts';
import type { TelegramConfig } from './telegram-config.ts';

const TELEGRAM_TOKEN = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function telegramMasks(config: Partial<Pick<TelegramConfig, 'token' | 'webhookSecret'>>): MaskRules {
  return { secrets: [config.token, config.webhookSecret], patterns: [TELEGRAM_TOKEN] };
}
