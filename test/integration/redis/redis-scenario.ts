// The set-up every Redis integration test file shares: one redis-server for the file, and after each test the
// processes it started killed and the fakes it opened closed, so a failing test leaves nothing running.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { TestProcess } from './processes.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

export interface RedisScenario {
  /** The file's redis-server (usable once the tests run). */
  redis: TestRedis;
  /** Closed after each test, in order (fake platforms). */
  closers: (() => Promise<void>)[];
  /** A process killed after the test. */
  track<T extends TestProcess>(process: T): T;
}

/** Registers the hooks; call once at the top of a test file. */
export function useRedisScenario(): RedisScenario {
  let server: TestRedis | undefined;
  let running: TestProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  const started = () => {
    if (!server) throw new Error('redis-server is not started yet (use it inside a test)');
    return server;
  };
  beforeAll(async () => {
    server = await startTestRedis();
  });
  afterEach(async () => {
    await Promise.all(running.map((p) => p.kill()));
    running = [];
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const redis: TestRedis = {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    stop: () => started().stop(),
    restart: () => started().restart(),
  };
  return {
    redis,
    closers,
    track(process) {
      running.push(process);
      return process;
    },
  };
}

/** The process's `ready` line (a bot or a fake worker). */
export const ready = (p: TestProcess, what: string, timeoutMs = 30_000) => p.waitFor((l) => l.ev === 'ready', timeoutMs, `${what} ready`);
export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
