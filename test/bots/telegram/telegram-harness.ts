// Starts the real stack (config → renderer → service) and the Telegram adapter against the local fake Bot API.
// Only Telegram is fake; the token and API root come from the same env variables `npm start` reads.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../src/logger.ts';
import type { TelegramConfig } from '../../../src/bots/telegram/telegram-config.ts';
import { startTelegram, type TelegramBot } from '../../../src/bots/telegram/start-telegram.ts';
import type { MemeService } from '../../../src/bots/service-types.ts';
import type { MemeResult, MemeSpec, Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { TemplateCatalog } from '../../../src/templates/template-types.ts';
import { startRealCore } from '../../helpers/real-core.ts';
import { FakeTelegramServer, type RecordedCall } from '../fakes/telegram/fake-telegram-server.ts';

export interface TelegramHarness {
  fake: FakeTelegramServer;
  bot: TelegramBot;
  service: MemeService;
  renderer: Renderer;
  /** The specs the real renderer was asked for, in order. */
  rendered: MemeSpec[];
  /** What it rendered, in the order renders finished. */
  results: MemeResult[];
  templates: TemplateCatalog;
  /** The adapter's log lines (JSON), kept out of the test output. */
  logs: string[];
  logger: Logger;
  /** Texts the bot showed in a chat (sent or edited in), in order. */
  textsIn(chatId: number): string[];
  /** Waits for a successful call of `method` to `chatId` after call index `fromIndex`. */
  waitFor(method: string, chatId: number, options?: { fromIndex?: number; timeoutMs?: number; match?: (c: RecordedCall) => boolean }): Promise<RecordedCall>;
  /** Waits until the bot shows a text (sent or edited in: status lines coalesce) that passes `match`. */
  waitForText(chatId: number, match: (text: string) => boolean, options?: { fromIndex?: number; timeoutMs?: number }): Promise<RecordedCall>;
  close(): Promise<void>;
}

/**
 * `env` adds settings to the bot's environment (limits, say), as `npm start` would read them; `engines` adds the
 * tiny HelloMeme (test/helpers/tiny-hellomeme.ts).
 */
export async function startTelegramHarness(
  overrides: Partial<TelegramConfig> = {},
  env: Record<string, string> = {},
  engines: Parameters<typeof startRealCore>[1] = {},
): Promise<TelegramHarness> {
  const fake = await FakeTelegramServer.start({ maxPollHoldMs: 2000 });
  const core = await startRealCore({ MEMELOOM_PROGRESS_INTERVAL_MS: '200', TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, ...env }, engines);
  const { config, templates, renderer, rendered, results, service } = core;
  const { token, apiRoot, webhookUrl, webhookSecret, webhookPort } = config.telegram;
  const logs: string[] = [];
  const logger = createLogger({ stream: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }) });
  const progressIntervalMs = config.progress.stageIntervalMs;
  const bot = await startTelegram({ token: token!, apiRoot, webhookUrl, webhookSecret, webhookPort, progressIntervalMs, ...overrides }, service, templates, { logger });
  return {
    fake,
    bot,
    service,
    renderer,
    rendered,
    results,
    templates,
    logs,
    logger,
    textsIn(chatId) {
      return fake.calls
        .filter((c) => c.ok && (c.method === 'sendMessage' || c.method === 'editMessageText') && Number(c.params.chat_id) === chatId)
        .map((c) => String(c.params.text));
    },
    waitFor(method, chatId, options = {}) {
      return fake.waitForCall((c) => c.ok && c.method === method && Number(c.params.chat_id) === chatId && (options.match?.(c) ?? true), options);
    },
    waitForText(chatId, match, options = {}) {
      return fake.waitForCall(
        (c) => c.ok && (c.method === 'sendMessage' || c.method === 'editMessageText') && Number(c.params.chat_id) === chatId && match(String(c.params.text)),
        options,
      );
    },
    async close() {
      await bot.stop();
      await core.close();
      await fake.close();
    },
  };
}
