// `memeloom models pull` and `memeloom models list`: argument parsing, the terminal progress bar and the
// per-file report around src/models. HF_ENDPOINT, HF_TOKEN and MEMELOOM_MODELS_DIR come in through `env`.
import { InputError } from '../errors.ts';
import { DEFAULT_ENDPOINT } from '../models/hub-client.ts';
import { CHECKPOINT_NAMES, DEFAULT_PRESET, PRESETS, filesForPreset } from '../models/model-files.ts';
import { checkModelFiles, defaultModelsDir } from '../models/models-dir.ts';
import { type PullReport, pullModels } from '../models/pull-models.ts';
import { formatTable } from './table.ts';

export interface ModelsCommandContext {
  env?: Record<string, string | undefined>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
  /** Test hook: retry delays for a local fake hub. */
  retryDelayMs?: number;
}

const PULL_USAGE = `usage: memeloom models pull [--preset ${Object.keys(PRESETS).join('|')}|<checkpoint>] [--dir D] [--verify]
  Downloads the HelloMeme v5 + SD1.5 files for a preset (default ${DEFAULT_PRESET}) into D
  (default $MEMELOOM_MODELS_DIR or ~/.cache/memeloom/models). Honours HF_ENDPOINT (mirrors) and HF_TOKEN.
  Interrupted downloads resume; every file is checked against the hub's size and sha256.
  checkpoints: ${CHECKPOINT_NAMES.join(', ')}`;
const LIST_USAGE = 'usage: memeloom models list [--preset P] [--dir D]   shows which files of the preset are present';

function parseArgs(argv: string[], booleans: readonly string[], usage: string): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new InputError('BAD_OPTION', `unexpected argument '${arg}'\n${usage}`);
    const [, name, inline] = match;
    if (name === 'help') return { help: true };
    if (booleans.includes(name)) {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError('BAD_OPTION', `--${name} needs a value\n${usage}`);
    flags[name] = value;
  }
  return flags;
}

function option(flags: Record<string, string | true>, name: string, known: readonly string[], usage: string): string | undefined {
  const unknown = Object.keys(flags).find((k) => !known.includes(k));
  if (unknown) throw new InputError('BAD_OPTION', `unknown option --${unknown}\n${usage}`);
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A redrawn one-line bar on a TTY (at most 10 times a second); nothing otherwise. */
function progressLine(stderr: ModelsCommandContext['stderr']) {
  const tty = Boolean(stderr?.isTTY);
  let lastDrawMs = 0;
  let startedMs = Date.now();
  let startBytes = 0;
  return {
    start(received: number) {
      startedMs = Date.now();
      startBytes = received;
    },
    update(name: string, received: number, total: number | null) {
      const now = Date.now();
      if (!tty || now - lastDrawMs < 100) return;
      lastDrawMs = now;
      const rate = ((received - startBytes) / Math.max(now - startedMs, 1)) * 1000;
      const fraction = total ? Math.min(received / total, 1) : 0;
      const width = 24;
      const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
      const sizes = total ? `${formatBytes(received)}/${formatBytes(total)}` : formatBytes(received);
      stderr?.write(`\r\x1b[2K${name.slice(-48)} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${sizes} ${formatBytes(rate)}/s`);
    },
    clear() {
      if (tty && lastDrawMs) stderr?.write('\r\x1b[2K');
      lastDrawMs = 0;
    },
  };
}

function describe(report: PullReport): string {
  const name = `${report.file.repo}/${report.file.path}`;
  const extras = [
    report.resumedFrom > 0 ? `resumed from ${formatBytes(report.resumedFrom)}` : '',
    report.networkRetries ? `${report.networkRetries} reconnect(s)` : '',
    report.refetches ? `${report.refetches} re-download(s) after a bad checksum` : '',
  ].filter(Boolean);
  return `${report.outcome.padEnd(10)} ${name} (${formatBytes(report.bytes)}${extras.length ? `; ${extras.join(', ')}` : ''})`;
}

export async function runModelsPull(argv: string[], context: ModelsCommandContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const stdout = context.stdout ?? process.stdout;
  const stderr = context.stderr ?? process.stderr;
  const flags = parseArgs(argv, ['verify'], PULL_USAGE);
  if (flags.help) {
    stdout.write(`${PULL_USAGE}\n`);
    return 0;
  }
  const preset = option(flags, 'preset', ['preset', 'dir', 'verify'], PULL_USAGE) ?? DEFAULT_PRESET;
  const modelsDir = option(flags, 'dir', ['preset', 'dir', 'verify'], PULL_USAGE) ?? defaultModelsDir(env);
  const files = filesForPreset(preset);
  const endpoint = env.HF_ENDPOINT || DEFAULT_ENDPOINT;
  stdout.write(`pulling ${files.length} files for preset ${preset} from ${endpoint} into ${modelsDir}${env.HF_TOKEN ? ' (with HF_TOKEN)' : ''}\n`);
  const bar = progressLine(stderr);
  const reports = await pullModels({
    modelsDir,
    files,
    connection: { endpoint, token: env.HF_TOKEN || undefined },
    verify: flags.verify === true,
    signal: context.signal,
    retryDelayMs: context.retryDelayMs,
    log: (line) => {
      bar.clear();
      stderr.write(`${line}\n`);
    },
    onProgress: (p) => bar.update(`${p.file.repo}/${p.file.path}`, p.receivedBytes, p.totalBytes),
    onFile: (event) => {
      if (event.phase === 'start') bar.start(0);
      if (event.phase === 'done' && event.report) {
        bar.clear();
        stdout.write(`[${event.index + 1}/${event.count}] ${describe(event.report)}\n`);
      }
    },
  });
  const total = reports.reduce((sum, r) => sum + r.bytes, 0);
  const fetched = reports.filter((r) => r.outcome === 'downloaded' || r.outcome === 'replaced').length;
  stdout.write(`done: ${reports.length} files (${formatBytes(total)}) in ${modelsDir}; ${fetched} downloaded\n`);
  return 0;
}

export async function runModelsList(argv: string[], context: ModelsCommandContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const stdout = context.stdout ?? process.stdout;
  const flags = parseArgs(argv, [], LIST_USAGE);
  if (flags.help) {
    stdout.write(`${LIST_USAGE}\n`);
    return 0;
  }
  const preset = option(flags, 'preset', ['preset', 'dir'], LIST_USAGE) ?? DEFAULT_PRESET;
  const modelsDir = option(flags, 'dir', ['preset', 'dir'], LIST_USAGE) ?? defaultModelsDir(env);
  const statuses = await checkModelFiles(modelsDir, filesForPreset(preset));
  const rows = statuses.map((s) => [`${s.file.repo}/${s.file.path}`, s.state, s.state === 'missing' ? '-' : formatBytes(s.bytesOnDisk), s.file.role]);
  stdout.write(`${formatTable(['file', 'state', 'size', 'role'], rows)}\n`);
  const present = statuses.filter((s) => s.state === 'present' || s.state === 'unverified').length;
  stdout.write(`preset ${preset}: ${present} of ${statuses.length} files present in ${modelsDir}\n`);
  if (present < statuses.length) stdout.write(`run \`memeloom models pull --preset ${preset}\` to fetch the rest\n`);
  return 0;
}
