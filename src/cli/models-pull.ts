// `memeloom models pull`: argument parsing, the progress view and the per-file report around src/models.
// The source, endpoints, token, proxy and stall timeout come from `env` (models/pull-settings.ts).
import { CHECKPOINT_NAMES, DEFAULT_PRESET, filesForPreset, PRESETS, STYLE_PRESETS } from '../models/model-files.ts';
import { defaultModelsDir } from '../models/models-dir.ts';
import { type PullReport, pullModels } from '../models/pull-models.ts';
import { openModelSource, pullSettingsFrom, reachabilityHint } from '../models/pull-settings.ts';
import { recordedTotal } from '../models/recorded-sizes.ts';
import { downloadProgressView } from './download-progress.ts';
import { parseModelsArgs, stringFlag, styleNames } from './models-args.ts';
import { modelsEnv } from './models-env.ts';
import { formatBytes } from './table.ts';
import { modelsVariables } from '../config.ts';

export interface ModelsCommandContext {
  env?: Record<string, string | undefined>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
  /** Test hook: retry delays for a local fake hub. */
  retryDelayMs?: number;
}

const PULL_USAGE = `usage: memeloom models pull [--preset ${Object.keys(PRESETS).join('|')}|<checkpoint>] [--style NAME[,NAME…]|all] [--dir D]
                          [--source huggingface|modelscope] [--verify]
  Downloads the HelloMeme v5 + SD1.5 files for a preset (default ${DEFAULT_PRESET}), and the LoRA of each --style, into D
  (default $MEMELOOM_MODELS_DIR or ~/.cache/memeloom/models); \`memeloom models list\` shows their sizes.
  Source: Hugging Face (HF_ENDPOINT for a mirror, HF_TOKEN) or ModelScope (--source modelscope or
  MEMELOOM_MODELS_SOURCE=modelscope; MODELSCOPE_DOMAIN). HTTPS_PROXY / NO_PROXY are honoured.
  Interrupted downloads resume; a transfer silent for MEMELOOM_MODELS_STALL_TIMEOUT_MS (default 30000) is
  resumed with a Range request, 3 times at most. Every file is checked against the source's size and sha256.
  checkpoints: ${CHECKPOINT_NAMES.join(', ')}
  styles (songkey/loras_sd_1_5, optional): ${STYLE_PRESETS.map((s) => s.id).join(', ')}`;

const SOURCE_LABEL = { huggingface: 'Hugging Face', modelscope: 'ModelScope' } as const;

function describe(report: PullReport): string {
  const name = `${report.file.repo}/${report.file.path}`;
  const extras = [
    report.resumedFrom > 0 ? `resumed from ${formatBytes(report.resumedFrom)}` : '',
    report.networkRetries ? `${report.networkRetries} retr${report.networkRetries === 1 ? 'y' : 'ies'}` : '',
    report.refetches ? `${report.refetches} re-download(s) after a bad checksum` : '',
  ].filter(Boolean);
  return `${report.outcome.padEnd(10)} ${name} (${formatBytes(report.bytes)}${extras.length ? `; ${extras.join(', ')}` : ''})`;
}

export async function runModelsPull(argv: string[], context: ModelsCommandContext = {}): Promise<number> {
  const env = modelsEnv(context.env ?? modelsVariables());
  const stdout = context.stdout ?? process.stdout;
  const stderr = context.stderr ?? process.stderr;
  const flags = parseModelsArgs(argv, ['preset', 'style', 'dir', 'source'], ['verify'], PULL_USAGE);
  if (flags.help) {
    stdout.write(`${PULL_USAGE}\n`);
    return 0;
  }
  const preset = stringFlag(flags, 'preset') ?? DEFAULT_PRESET;
  const modelsDir = stringFlag(flags, 'dir') ?? defaultModelsDir(env);
  const styles = styleNames(stringFlag(flags, 'style'));
  const files = filesForPreset(preset, styles);
  const settings = pullSettingsFrom(env, stringFlag(flags, 'source'));
  const source = openModelSource(settings);
  const host = new URL(source.endpoint).host;
  const size = recordedTotal(files);
  const token = settings.token ? ' (with HF_TOKEN)' : '';
  stdout.write(
    `pulling ${files.length} files (${size.exact ? '' : '≈'}${formatBytes(size.bytes)}) for preset ${preset}${styles.length ? ` with style${styles.length > 1 ? 's' : ''} ${styles.join(', ')}` : ''} from ${SOURCE_LABEL[settings.source]} (${source.endpoint}) into ${modelsDir}${token}\n`,
  );
  const view = downloadProgressView(stdout, stderr);
  try {
    const reports = await pullModels({
      modelsDir,
      files,
      source,
      verify: flags.verify === true,
      signal: context.signal,
      retryDelayMs: context.retryDelayMs,
      stallTimeoutMs: settings.stallTimeoutMs,
      hint: reachabilityHint(settings),
      log: (line) => view.note(line),
      onIdle: (idleMs, stallTimeoutMs) => view.idle(idleMs, stallTimeoutMs),
      onProgress: (p) => view.bytes(p.receivedBytes, p.totalBytes),
      onFile: (event) => {
        if (event.phase === 'start') view.start(`${event.file.repo}/${event.file.path}`, host);
        if (event.phase === 'done' && event.report) view.done(`[${event.index + 1}/${event.count}] ${describe(event.report)}`);
      },
    });
    const total = reports.reduce((sum, r) => sum + r.bytes, 0);
    const fetched = reports.filter((r) => r.outcome === 'downloaded' || r.outcome === 'replaced').length;
    stdout.write(`done: ${reports.length} files (${formatBytes(total)}) in ${modelsDir}; ${fetched} downloaded\n`);
    return 0;
  } finally {
    view.clear();
    await source.close();
  }
}
