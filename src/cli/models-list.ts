// `memeloom models list`: every file of a preset with its state on disk and its download size, the preset's
// total and what is left to fetch, and the totals of the named presets. Sizes are the recorded ones
// (models/recorded-sizes.ts, offline) unless --remote asks the source for exact figures.
import { DEFAULT_PRESET, type HubFile, PRESETS, filesForPreset } from '../models/model-files.ts';
import { type FileStatus, checkModelFiles, defaultModelsDir } from '../models/models-dir.ts';
import { describeRemote } from '../models/pull-models.ts';
import { openModelSource, pullSettingsFrom, reachabilityHint } from '../models/pull-settings.ts';
import { recordedSize, recordedTotal } from '../models/recorded-sizes.ts';
import { parseModelsArgs, stringFlag, styleNames } from './models-args.ts';
import { modelsEnv } from './models-env.ts';
import type { ModelsCommandContext } from './models-pull.ts';
import { formatBytes, formatTable } from './table.ts';
import { modelsVariables } from '../config.ts';

const LIST_USAGE = `usage: memeloom models list [--preset P] [--style NAME[,NAME…]|all] [--dir D] [--remote] [--source huggingface|modelscope]
  Shows each file of the preset (default ${DEFAULT_PRESET}) and of the optional LoRA styles named: present, partial
  or missing, and its download size, then the preset's total. Sizes are recorded ones and work offline (≈ marks an approximate figure);
  --remote asks the source (as \`models pull\` would) for the exact sizes.`;

interface Sized {
  bytes: number | null;
  exact: boolean;
}

const shown = (size: Sized) => (size.bytes === null ? '?' : `${size.exact ? '' : '≈'}${formatBytes(size.bytes)}`);

async function remoteSizes(files: readonly HubFile[], env: Record<string, string | undefined>, sourceFlag: string | undefined, context: ModelsCommandContext) {
  const settings = pullSettingsFrom(env, sourceFlag);
  const source = openModelSource(settings);
  try {
    const options = { source, stallTimeoutMs: settings.stallTimeoutMs, hint: reachabilityHint(settings), signal: context.signal, retryDelayMs: context.retryDelayMs };
    const sizes: Sized[] = [];
    for (const file of files) sizes.push({ bytes: (await describeRemote(options, file)).size, exact: true });
    return { sizes, from: `exact, from ${source.endpoint}` };
  } finally {
    await source.close();
  }
}

function stateOf(status: FileStatus, size: Sized): string {
  if (status.state !== 'partial' || !size.bytes) return status.state;
  return `partial ${Math.min(99, Math.floor((status.bytesOnDisk / size.bytes) * 100))}%`;
}

export async function runModelsList(argv: string[], context: ModelsCommandContext = {}): Promise<number> {
  const env = modelsEnv(context.env ?? modelsVariables());
  const stdout = context.stdout ?? process.stdout;
  const flags = parseModelsArgs(argv, ['preset', 'style', 'dir', 'source'], ['remote'], LIST_USAGE);
  if (flags.help) {
    stdout.write(`${LIST_USAGE}\n`);
    return 0;
  }
  const preset = stringFlag(flags, 'preset') ?? DEFAULT_PRESET;
  const modelsDir = stringFlag(flags, 'dir') ?? defaultModelsDir(env);
  const styles = styleNames(stringFlag(flags, 'style'));
  const files = filesForPreset(preset, styles);
  const { sizes, from } =
    flags.remote === true
      ? await remoteSizes(files, env, stringFlag(flags, 'source'), context)
      : {
          sizes: files.map((f): Sized => {
            const recorded = recordedSize(f);
            return { bytes: recorded?.bytes ?? null, exact: recorded?.basis === 'exact' };
          }),
          from: 'recorded offline; ≈ approximate, from parameter counts; --remote asks the source for exact ones',
        };
  const statuses = await checkModelFiles(modelsDir, files);
  const rows = statuses.map((s, i) => [`${s.file.repo}/${s.file.path}`, stateOf(s, sizes[i]), shown(sizes[i]), s.file.role]);
  stdout.write(`${formatTable(['file', 'state', 'size', 'role'], rows)}\n`);

  const total: Sized = { bytes: sizes.reduce((sum, s) => sum + (s.bytes ?? 0), 0), exact: sizes.every((s) => s.exact && s.bytes !== null) };
  const present = statuses.filter((s) => s.state === 'present' || s.state === 'unverified');
  const left: Sized = {
    bytes: statuses.reduce((sum, s, i) => sum + (s.state === 'present' || s.state === 'unverified' ? 0 : Math.max(0, (sizes[i].bytes ?? 0) - (s.state === 'partial' ? s.bytesOnDisk : 0))), 0),
    exact: total.exact,
  };
  stdout.write(`preset ${preset}: ${files.length} files, ${shown(total)} in all (sizes ${from})\n`);
  stdout.write(`${present.length} of ${files.length} files present in ${modelsDir}${present.length < files.length ? `; ${shown(left)} left to download` : ''}\n`);
  const totals = Object.keys(PRESETS).map((name) => {
    const t = recordedTotal(filesForPreset(name));
    return `${name} ${shown({ bytes: t.bytes, exact: t.exact })}`;
  });
  stdout.write(`preset totals (recorded): ${totals.join(', ')}\n`);
  if (present.length < files.length) stdout.write(`run \`memeloom models pull --preset ${preset}${styles.length ? ` --style ${styles.join(',')}` : ''}\` to fetch the rest\n`);
  return 0;
}
