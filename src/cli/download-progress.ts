// What `models pull` shows while it works. On a TTY: one line redrawn in place (at most 10 times a second)
// with bytes, rate and ETA, or how long the server has been silent. Otherwise: one line per file when it is
// done, and one line when a transfer has been silent for a third of the stall timeout, so logs show the wait.
import { formatBytes, formatDuration } from './table.ts';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Silence shorter than this is normal between chunks and is not shown. */
const SHOW_IDLE_AFTER_MS = 2000;
const RATE_WINDOW_MS = 5000;

interface DownloadProgressView {
  /** A new file begins; `host` is the server it comes from. */
  start(name: string, host: string): void;
  bytes(received: number, total: number | null): void;
  /** The current transfer has been silent for `idleMs`; it is abandoned and resumed at `stallTimeoutMs`. */
  idle(idleMs: number, stallTimeoutMs: number): void;
  /** A note (retry, resume, mismatch) on stderr. */
  note(line: string): void;
  /** The file's result line on stdout. */
  done(line: string): void;
  /** Clears the redrawn line (before an error is printed). */
  clear(): void;
}

export function downloadProgressView(stdout: NodeJS.WritableStream, stderr: Stream): DownloadProgressView {
  const tty = Boolean(stderr.isTTY);
  let name = '';
  let host = '';
  let received = 0;
  let total: number | null = null;
  let samples: { atMs: number; bytes: number }[] = [];
  let lastDrawMs = 0;
  let drawn = false;
  let lastIdleMs = 0;
  let idleNoted = false;

  const rate = (): number => {
    if (samples.length < 2) return 0;
    const first = samples[0];
    const last = samples[samples.length - 1];
    return ((last.bytes - first.bytes) / Math.max(last.atMs - first.atMs, 1)) * 1000;
  };

  const draw = (waiting: string | null) => {
    const now = Date.now();
    if (!tty || now - lastDrawMs < 100) return;
    lastDrawMs = now;
    const fraction = total ? Math.min(received / total, 1) : 0;
    const bar = '#'.repeat(Math.round(fraction * 20)).padEnd(20, '.');
    const sizes = total ? `${formatBytes(received)}/${formatBytes(total)}` : formatBytes(received);
    const speed = rate();
    const tail = waiting ?? (speed > 0 ? `${formatBytes(speed)}/s${total ? ` ETA ${formatDuration(((total - received) / speed) * 1000)}` : ''}` : '');
    const status = ` [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${sizes} ${tail}`;
    const room = Math.max(12, (stderr.columns ?? 100) - status.length - 1);
    const shown = name.length > room ? `…${name.slice(-(room - 1))}` : name;
    stderr.write(`\r\x1b[2K${shown}${status}`);
    drawn = true;
  };

  const clear = () => {
    if (tty && drawn) stderr.write('\r\x1b[2K');
    drawn = false;
    lastDrawMs = 0;
  };

  return {
    start(fileName, fileHost) {
      name = fileName;
      host = fileHost;
      received = 0;
      total = null;
      samples = [];
      lastIdleMs = 0;
      idleNoted = false;
    },
    bytes(bytes, size) {
      received = bytes;
      total = size;
      const now = Date.now();
      samples.push({ atMs: now, bytes });
      while (samples.length > 2 && now - samples[0].atMs > RATE_WINDOW_MS) samples.shift();
      lastIdleMs = 0;
      idleNoted = false;
      draw(null);
    },
    idle(idleMs, stallTimeoutMs) {
      // A smaller silence than last time means a new attempt or fresh bytes: a later stall gets its own note.
      if (idleMs < lastIdleMs) idleNoted = false;
      lastIdleMs = idleMs;
      if (tty) {
        if (idleMs >= Math.min(SHOW_IDLE_AFTER_MS, stallTimeoutMs / 3)) draw(`no data from ${host} for ${formatDuration(idleMs)} (resume at ${formatDuration(stallTimeoutMs)})`);
        return;
      }
      if (!idleNoted && idleMs >= stallTimeoutMs / 3) {
        idleNoted = true;
        stderr.write(`${name}: no data from ${host} for ${formatDuration(idleMs)}; waiting up to ${formatDuration(stallTimeoutMs)} before resuming\n`);
      }
    },
    note(line) {
      clear();
      stderr.write(`${line}\n`);
    },
    done(line) {
      clear();
      stdout.write(`${line}\n`);
    },
    clear,
  };
}
