// Test helper: the bot, worker and CLI processes of the scale-out tests as real OS processes, each speaking JSON
// lines on stdout; waitFor() resolves on the first line matching a predicate (including ones already seen).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export { REFERENCE_IMAGES as PHOTOS } from '../../helpers/fixtures.ts';

export type Line = Record<string, unknown> & { ev?: string };

export class TestProcess {
  readonly lines: Line[] = [];
  readonly logs: Line[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;
  #waiters: { match: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];

  constructor(args: string[], env: Record<string, string>) {
    this.#child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    readLines(this.#child.stdout!, (text) => {
      const line = parse(text);
      if (!line) return;
      this.lines.push(line);
      const matched = this.#waiters.filter((w) => w.match(line));
      this.#waiters = this.#waiters.filter((w) => !matched.includes(w));
      for (const waiter of matched) waiter.resolve(line);
    });
    readLines(this.#child.stderr!, (text) => {
      this.stderr += `${text}\n`;
      const line = parse(text);
      if (line) this.logs.push(line);
    });
  }

  get pid(): number {
    return this.#child.pid!;
  }

  waitFor(match: (line: Line) => boolean, timeoutMs = 30_000, what = 'a line'): Promise<Line> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr tail:\n${this.stderr.slice(-2000)}`)), timeoutMs);
      const settle = (line: Line) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.#waiters.push({ match, resolve: settle });
    });
  }

  send(command: Record<string, unknown>): void {
    this.#child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  events(ev: string): Line[] {
    return this.lines.filter((l) => l.ev === ev);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill(signal);
    await this.exited;
  }
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) if (part.trim()) onLine(part);
  });
}

function parse(text: string): Line | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Line) : undefined;
  } catch {
    return undefined;
  }
}

/** Environment shared by the bot and worker processes of one scenario (own key prefix, shared blob folder). */
export function scenarioEnv(redisUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), `memeloom-${prefix}-`));
  return {
    QUEUE_BACKEND: 'redis',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    BLOB_DIR: path.join(dir, 'blobs'),
    MEMELOOM_DATA_DIR: dir,
    MEMELOOM_WEB: 'false',
    MEMELOOM_LOG_LEVEL: 'info',
    MEMELOOM_PROGRESS_INTERVAL_MS: '0',
    MEMELOOM_GPU_DEVICES: '0',
    ...extra,
  };
}

const TSX = ['--import', 'tsx'];

export function startBot(env: Record<string, string>): TestProcess {
  return new TestProcess([...TSX, 'test/integration/redis/bot-process.ts'], env);
}

/** A worker on the real worker code with a timed renderer (fake-worker.ts), serving warp unless told otherwise. */
export function startFakeWorker(env: Record<string, string>, renderMs: number, name: string, engine: 'warp' | 'hellomeme' = 'warp'): TestProcess {
  return new TestProcess([...TSX, 'test/integration/redis/fake-worker.ts', String(renderMs), name, engine], env);
}

/** The real `memeloom` CLI (bin/memeloom.js), e.g. `worker --engine warp`. */
export function startCli(args: string[], env: Record<string, string>): TestProcess {
  return new TestProcess(['bin/memeloom.js', ...args], env);
}
