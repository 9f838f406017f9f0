// Entry point of the Telegram adapter: builds the telegraf bot over the meme service, registers the command
// list, and receives updates by long polling (default) or webhook (when webhookUrl is set).
// Composition only; the behaviour lives in the handler and job modules next to it.
import { createServer, type Server } from 'node:http';
import { Telegraf } from 'telegraf';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import type { ReplierFactory } from '../service-types.ts';
import { createLogger, type Logger } from '../../logger.ts';
import type { MemeService } from '../service-types.ts';
import { CallbackHandlers } from './callback-handlers.ts';
import { InlineMode } from './inline-mode.ts';
import { InlinePreviews } from './inline-previews.ts';
import { MemeJobs } from './meme-jobs.ts';
import { MessageHandlers } from './message-handlers.ts';
import { RecentPhotos } from './recent-photos.ts';
import { StickerPacks } from './sticker-packs.ts';
import { DEFAULT_CHAT_ACTION_INTERVAL_MS, DEFAULT_WEBHOOK_PORT, type TelegramConfig, telegramLimits } from './telegram-config.ts';
import { TelegramOutbox } from './telegram-outbox.ts';
import { telegramMasks } from './telegram-secrets.ts';
import { BOT_COMMANDS } from './telegram-texts.ts';

interface StartTelegramOptions {
  /** Defaults to a JSON-lines logger that masks the token and webhook secret. */
  logger?: Logger;
}

export interface TelegramBot {
  /** Stops receiving updates and waits (bounded) for flows already started to finish. */
  stop(): Promise<void>;
  /** Re-creates the Replier of a job submitted before a restart (main.ts hands it to the service's resume). */
  reattach: ReplierFactory;
}

// chosen_inline_result arrives only with inline feedback on (BotFather /setinlinefeedback).
const ALLOWED_UPDATES = ['message', 'callback_query', 'inline_query', 'chosen_inline_result'] as const;
const STOP_GRACE_MS = 10_000;

export async function startTelegram(
  config: TelegramConfig,
  service: MemeService,
  templates: TemplateCatalog,
  options: StartTelegramOptions = {},
): Promise<TelegramBot> {
  const log = (options.logger ?? createLogger(telegramMasks(config))).child({ component: 'telegram' });
  // webhookReply off: every call is a real HTTP request, so results and errors come back to us.
  const bot = new Telegraf(config.token, { telegram: { apiRoot: config.apiRoot, webhookReply: false }, handlerTimeout: 30_000 });
  const telegram = bot.telegram;
  const outbox = new TelegramOutbox(telegramLimits(config));
  const botUsername = () => bot.botInfo?.username ?? '';
  const packs = new StickerPacks({ telegram, outbox, botUsername });
  const chatActionIntervalMs = config.chatActionIntervalMs ?? DEFAULT_CHAT_ACTION_INTERVAL_MS;
  const jobs = new MemeJobs({ telegram, outbox, service, templates, chatActionIntervalMs, log, packs, botUsername });
  const photos = new RecentPhotos();
  const { mediaChatId, previewBaseUrl } = config;
  const previews = new InlinePreviews({ telegram, outbox, templates, log, mediaChatId, previewBaseUrl });
  const handlerDeps = { telegram, outbox, service, templates, jobs, photos, previews, log, mediaChatId };
  const messages = new MessageHandlers(handlerDeps);
  const callbacks = new CallbackHandlers({ telegram, outbox, templates, jobs, messages });
  const inline = new InlineMode(handlerDeps);

  // Handlers run in the background: telegraf waits for a whole batch of updates before polling again, and a
  // reply may wait seconds for its flood-limit slot; one busy group must not hold up every other chat.
  bot.on('message', (ctx) => jobs.track(messages.onMessage(ctx.message, ctx.botInfo?.username)));
  bot.on('callback_query', (ctx) => jobs.track(callbacks.onCallback(ctx.callbackQuery)));
  bot.on('inline_query', (ctx) => jobs.track(inline.onInlineQuery(ctx.inlineQuery)));
  bot.on('chosen_inline_result', (ctx) => jobs.track(inline.onChosen(ctx.chosenInlineResult)));
  // One bad update must not stop the bot (telegraf's default rethrows and ends polling).
  bot.catch((error) => log.error('update failed', { error }));

  bot.botInfo = await telegram.getMe();
  await outbox.direct(() => telegram.setMyCommands([...BOT_COMMANDS]));
  // In the background: inline queries answer with what is there (URL or text previews) until it is done.
  jobs.track(previews.warm());
  const pruneTimer = setInterval(() => outbox.prune(), 60_000);
  pruneTimer.unref();

  const stopReceiving = config.webhookUrl ? await startWebhook(bot, config, log) : startPolling(bot, log);
  log.info('bot started', { username: bot.botInfo.username, mode: config.webhookUrl ? 'webhook' : 'polling' });
  return {
    reattach: (route, jobId) => inline.resumeReplier(route) ?? jobs.resumeReplier(route, jobId),
    async stop() {
      clearInterval(pruneTimer);
      await stopReceiving();
      await Promise.race([jobs.drain(), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    },
  };
}

function startPolling(bot: Telegraf, log: Logger): () => Promise<void> {
  // launch() resolves only when polling ends, so it is kept, not awaited.
  const polling = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }).catch((error: unknown) => {
    log.error('polling stopped with an error', { error });
  });
  return async () => {
    bot.stop('shutdown');
    await polling;
  };
}

async function startWebhook(bot: Telegraf, config: TelegramConfig, log: Logger): Promise<() => Promise<void>> {
  const url = new URL(config.webhookUrl!);
  // telegraf's callback answers 403 when the path or the X-Telegram-Bot-Api-Secret-Token header is wrong.
  const callback = bot.webhookCallback(url.pathname, { secretToken: config.webhookSecret });
  const server: Server = createServer((req, res) => {
    callback(req, res).catch((error: unknown) => {
      log.error('webhook request failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.webhookPort ?? DEFAULT_WEBHOOK_PORT, () => resolve());
  });
  await bot.telegram.setWebhook(url.href, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
