// The Telegram front end as main.ts starts it: on when TELEGRAM_BOT_TOKEN is set; telegraf loads only then.
import { MemeError } from '../../errors.ts';
import type { ChatAdapter } from '../chat-adapter.ts';
import { telegramMasks } from './telegram-secrets.ts';

export const telegramAdapter: ChatAdapter = {
  name: 'telegram',
  enabled: (config) => Boolean(config.telegram.token),
  masks: (config) => telegramMasks(config.telegram),
  async load() {
    const { startTelegram } = await import('./start-telegram.ts');
    return (config, service, logger) => {
      const { token } = config.telegram;
      if (!token) throw new MemeError('BAD_OPTION', 'TELEGRAM_BOT_TOKEN is not set');
      return startTelegram({ ...config.telegram, token, progressIntervalMs: config.progress.stageIntervalMs }, service, service.templates, { logger });
    };
  },
};
