// Where pulled model files live on disk (<dir>/<owner>/<repo>/<path>) and which of them are there.
// Reads the file system only; downloading is pull-models.ts's job.
import { readFile, stat } from 'node:fs/promises';
import { memeloomCacheDir } from '../cache-dir.ts';
import path from 'node:path';
import { InputError } from '../errors.ts';
import type { HubFile } from './model-files.ts';

/** ~/.cache/memeloom/models unless MEMELOOM_MODELS_DIR is set (passed in; this module reads no environment). */
export function defaultModelsDir(env: Record<string, string | undefined> = {}): string {
  return env.MEMELOOM_MODELS_DIR || memeloomCacheDir('models');
}

/** The local path of a hub file; refuses repo ids or paths that would escape the models directory. */
export function localPathOf(modelsDir: string, file: HubFile): string {
  const root = path.resolve(modelsDir);
  const target = path.resolve(root, ...file.repo.split('/'), ...file.path.split('/'));
  if (!target.startsWith(root + path.sep) || file.path.split('/').includes('..') || file.repo.split('/').includes('..')) {
    throw new InputError('BAD_OPTION', `model file ${file.repo}/${file.path} would land outside ${root}`);
  }
  return target;
}

/** Sidecar written after a verified download: what the hub said, so a later pull can skip without re-hashing. */
export function verifiedRecordPath(localPath: string): string {
  return `${localPath}.verified.json`;
}

export function partialPath(localPath: string): string {
  return `${localPath}.part`;
}

/**
 * present: on disk with a verified record of the same size; unverified: on disk without a record (copied by hand);
 * wrong-size: on disk but not the size that was verified; partial: only a .part download; missing: nothing.
 */
type FileState = 'present' | 'unverified' | 'wrong-size' | 'partial' | 'missing';

export interface FileStatus {
  file: HubFile;
  localPath: string;
  state: FileState;
  /** Bytes on disk (of the .part file when partial). */
  bytesOnDisk: number;
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

async function recordedSize(localPath: string): Promise<number | null | undefined> {
  try {
    const record = JSON.parse(await readFile(verifiedRecordPath(localPath), 'utf8')) as { size?: number | null };
    return record.size ?? null;
  } catch {
    return undefined;
  }
}

/** Presence of every file, without network; the hub is the truth about sizes, so pull's records are checked. */
export async function checkModelFiles(modelsDir: string, files: readonly HubFile[]): Promise<FileStatus[]> {
  return Promise.all(
    files.map(async (file): Promise<FileStatus> => {
      const localPath = localPathOf(modelsDir, file);
      const size = await sizeOf(localPath);
      if (size !== null) {
        const recorded = await recordedSize(localPath);
        const state = recorded === undefined ? 'unverified' : recorded === null || recorded === size ? 'present' : 'wrong-size';
        return { file, localPath, state, bytesOnDisk: size };
      }
      const partial = await sizeOf(partialPath(localPath));
      return { file, localPath, state: partial === null ? 'missing' : 'partial', bytesOnDisk: partial ?? 0 };
    }),
  );
}

/** True when every file is on disk (verified or placed by hand): what `render` checks before picking hellomeme. */
export async function allModelFilesPresent(modelsDir: string, files: readonly HubFile[]): Promise<boolean> {
  return (await checkModelFiles(modelsDir, files)).every((s) => s.state === 'present' || s.state === 'unverified');
}
