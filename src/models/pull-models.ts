// `models pull` without the terminal: for each needed file, ask the source for its size and digest, keep what
// is already here and verified, download the rest (resumable), and report what happened per file.
import { rm } from 'node:fs/promises';
import { throwIfAborted } from '../errors.ts';
import { type DownloadOptions, downloadHubFile } from './download-file.ts';
import { fileSize, readRecord, writeRecord } from './file-records.ts';
import { fileMatchesEtag } from './file-digest.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFileInfo } from './model-source.ts';
import { localPathOf, verifiedRecordPath } from './models-dir.ts';
import { recordedSize } from './recorded-sizes.ts';
import { withRetries } from './transfer-retry.ts';

export interface PullOptions extends Omit<DownloadOptions, 'remote' | 'localPath'> {
  modelsDir: string;
  source: ModelSource;
  files: readonly HubFile[];
  /** Re-hash files that are already present even when their record matches the source. */
  verify?: boolean;
  /** Called when a file starts (before its metadata request) and when it is settled. */
  onFile?: (event: { file: HubFile; index: number; count: number; phase: 'start' | 'done'; report?: PullReport }) => void;
}

/** downloaded: was missing; up-to-date: present with a matching record; verified: present, digest checked; replaced: present but stale or corrupt. */
type PullOutcome = 'downloaded' | 'up-to-date' | 'verified' | 'replaced';

export interface PullReport {
  file: HubFile;
  localPath: string;
  outcome: PullOutcome;
  bytes: number;
  resumedFrom: number;
  networkRetries: number;
  refetches: number;
}

/** Size and digest from the source, under the same stall and retry policy as the downloads. */
export async function describeRemote(options: Omit<PullOptions, 'modelsDir' | 'files'>, file: HubFile): Promise<RemoteFileInfo> {
  const host = new URL(options.source.endpoint).host;
  const { value } = await withRetries(`${file.repo}/${file.path}`, host, (watch) => options.source.describe(file, watch), options);
  return value;
}

/** Is the file on disk the one the source describes? Uses the record when it matches, else sizes and digests. */
async function checkExisting(localPath: string, remote: RemoteFileInfo, verify: boolean): Promise<'up-to-date' | 'verified' | 'stale'> {
  const size = await fileSize(localPath);
  if (size === null) return 'stale';
  if (remote.size !== null && size !== remote.size) return 'stale';
  const record = await readRecord(verifiedRecordPath(localPath));
  if (!verify && record && record.etag === remote.etag && record.size === size) return 'up-to-date';
  if ((await fileMatchesEtag(localPath, remote.etag)) === false) return 'stale';
  await writeRecord(verifiedRecordPath(localPath), { etag: remote.etag, size });
  return 'verified';
}

async function pullOne(options: PullOptions, file: HubFile): Promise<PullReport> {
  const localPath = localPathOf(options.modelsDir, file);
  const remote = await describeRemote(options, file);
  const recorded = recordedSize(file);
  if (recorded?.basis === 'exact' && remote.size !== null && remote.size !== recorded.bytes) {
    options.log?.(`${file.repo}/${file.path}: the source says ${remote.size} bytes, the published size was ${recorded.bytes}; trusting the source`);
  }
  const existing = (await fileSize(localPath)) === null ? null : await checkExisting(localPath, remote, options.verify ?? false);
  const base = { file, localPath, resumedFrom: 0, networkRetries: 0, refetches: 0 };
  if (existing === 'up-to-date' || existing === 'verified') return { ...base, outcome: existing, bytes: (await fileSize(localPath)) ?? 0 };
  if (existing === 'stale') {
    options.log?.(`${file.repo}/${file.path}: the local copy does not match the source; downloading it again`);
    await rm(localPath, { force: true });
    await rm(verifiedRecordPath(localPath), { force: true });
  }
  const downloaded = await downloadHubFile(file, { ...options, remote, localPath });
  return { ...base, ...downloaded, outcome: existing === 'stale' ? 'replaced' : 'downloaded' };
}

/** Pulls the files one after another; stops at the first file that cannot be fetched. */
export async function pullModels(options: PullOptions): Promise<PullReport[]> {
  const reports: PullReport[] = [];
  for (const [index, file] of options.files.entries()) {
    throwIfAborted(options.signal);
    options.onFile?.({ file, index, count: options.files.length, phase: 'start' });
    const report = await pullOne(options, file);
    reports.push(report);
    options.onFile?.({ file, index, count: options.files.length, phase: 'done', report });
  }
  return reports;
}
