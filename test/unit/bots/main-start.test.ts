import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { telegramMasks } from '../../../src/bots/telegram/telegram-secrets.ts';
import { createLogger } from '../../../src/logger.ts';
import { loadConfig } from '../../../src/config.ts';
import { botGraphThreads, startMemeloom } from '../../../src/main.ts';
import { FakeRenderer, PHOTO, testConfig, testTemplates } from './service-fixtures.ts';

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

function capture() {
  const stream = new PassThrough();
  const lines: LogLine[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ level: 'debug', stream }), lines };
}

describe('startMemeloom', () => {
  it('with no chat tokens, serves the playground and logs that only it is on', async () => {
    const { logger, lines } = capture();
    const config = loadConfig({ MEMELOOM_PORT: '0', MEMELOOM_DATA_DIR: testConfig().dataDir });
    const bot = await startMemeloom(config, { renderer: new FakeRenderer(), templates: testTemplates(), logger });
    try {
      expect(bot.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect(lines.map((l) => l.msg)).toContain('playground listening');
      expect(lines.find((l) => /only the web playground is on/.test(l.msg))).toBeDefined();
    } finally {
      await bot.stop();
    }
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'stopped' });
  });

  it('with a Telegram token whose API cannot be reached, logs the failure (no token) and keeps the playground on', async () => {
    const { logger, lines } = capture();
    const token = '123456:TEST-TOKEN-never-logged';
    const config = loadConfig({
      MEMELOOM_PORT: '0',
      MEMELOOM_DATA_DIR: testConfig().dataDir,
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
    });
    const bot = await startMemeloom(config, { renderer: new FakeRenderer(), templates: testTemplates(), logger });
    try {
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect(lines.map((l) => l.msg)).toContain('telegram adapter failed to start');
      expect(JSON.stringify(lines)).not.toContain('TEST-TOKEN');
    } finally {
      await bot.stop();
    }
  });

  it('logs JSON lines without secrets or photo bytes', () => {
    const stream = new PassThrough();
    const lines: LogLine[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(JSON.parse(chunk.toString())));
    // The Discord token is a configured value; the Telegram token inside a URL is masked by Telegram's shape rule.
    const logger = createLogger({ stream }).masking({ secrets: ['discord-SECRET-token'] }).masking(telegramMasks({}));
    logger.info('x', { token: '123:SECRET', nested: { webhookSecret: 's3cret', photo: PHOTO }, error: new Error('boom') });
    logger.warn('y', { error: new Error('GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe failed') });
    logger.warn('z', { note: 'login with discord-SECRET-token failed' });
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        const text = JSON.stringify(lines);
        expect(text).not.toMatch(/SECRET|s3cret/);
        expect((lines[0].nested as { photo: string }).photo).toBe(`<${PHOTO.length} bytes>`);
        expect(lines[0].error).toEqual({ name: 'Error', message: 'boom' });
        expect(text).not.toMatch(/AAHdqTcv|SECRET/);
        expect(lines).toHaveLength(3);
        resolve();
      });
    });
  });
});

describe("the bot's ONNX session threads", () => {
  it('leave the warp lane its cores unless MEMELOOM_GRAPH_THREADS names a count', () => {
    const dataDir = testConfig().dataDir;
    const config = (env: Record<string, string>) => loadConfig({ MEMELOOM_DATA_DIR: dataDir, ...env });
    expect(botGraphThreads(config({}), 2)).toBe(1);
    expect(botGraphThreads(config({ MEMELOOM_CPU_CONCURRENCY: '2' }), 8)).toBe(6);
    expect(botGraphThreads(config({ MEMELOOM_CPU_CONCURRENCY: '4' }), 4)).toBe(1);
    expect(botGraphThreads(config({ MEMELOOM_GRAPH_THREADS: '3' }), 2)).toBe(3);
    expect(botGraphThreads(config({ MEMELOOM_GRAPH_THREADS: '', MEMELOOM_CPU_CONCURRENCY: '1' }), 16)).toBe(15);
    expect(() => config({ MEMELOOM_GRAPH_THREADS: '0' })).toThrow(/MEMELOOM_GRAPH_THREADS/);
  });
});
