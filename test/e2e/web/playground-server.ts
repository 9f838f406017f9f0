// The playground as a person starts it, for the browser tests: `memeloom start` as a child process (the npm start
// path: real pipeline, warp engine, no chat tokens, a free port, its data in the test's folder) and headless
// Chromium (playwright-core + Debian's /usr/bin/chromium, installed by .ci/run).
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface RunningPlayground {
  baseUrl: string;
  browser: Browser;
  /** Closes the browser and stops the server (SIGTERM, waiting for it to exit). */
  stop(): Promise<void>;
}

function startServer(work: string, env: Record<string, string>): { server: ChildProcess; url: Promise<string> } {
  const server = spawn(process.execPath, ['bin/memeloom.js', 'start'], {
    cwd: ROOT,
    env: { ...process.env, MEMELOOM_PORT: '0', MEMELOOM_DATA_DIR: path.join(work, 'data'), MEMELOOM_ENGINE: 'warp', ...env, TELEGRAM_BOT_TOKEN: '', DISCORD_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /"msg":"playground listening".*?"url":"([^"]+)"/.exec(log);
      if (match) resolve(match[1]);
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    server.on('exit', (code) => reject(new Error(`memeloom start exited with ${code}:\n${log}`)));
  });
  return { server, url };
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((res) => server.once('exit', res));
  server.kill('SIGTERM');
  await exited;
}

/** Starts the server with `env` over the defaults above (limits, say), then the browser. */
export async function startPlayground(work: string, env: Record<string, string> = {}): Promise<RunningPlayground> {
  const { server, url } = startServer(work, env);
  try {
    const baseUrl = await url;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    return {
      baseUrl,
      browser,
      async stop() {
        await browser.close();
        await stopServer(server);
      },
    };
  } catch (error) {
    await stopServer(server);
    throw error;
  }
}
