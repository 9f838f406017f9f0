// Downloads one model file into <path>.part with Range resume (across retries and across runs), verifies its
// size and digest against what the source published, then renames it into place. One file; no presets here;
// when to retry is transfer-retry.ts's decision, the GET itself fetch-remainder.ts's.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { MemeError } from '../errors.ts';
import { fileMatchesEtag } from './file-digest.ts';
import { fetchRemainder } from './fetch-remainder.ts';
import { fileSize, readRecord, writeRecord } from './file-records.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFileInfo } from './model-source.ts';
import { partialPath, verifiedRecordPath } from './models-dir.ts';
import { type RetryOptions, withRetries } from './transfer-retry.ts';

interface DownloadProgress {
  file: HubFile;
  receivedBytes: number;
  totalBytes: number | null;
}

export interface DownloadOptions extends RetryOptions {
  source: ModelSource;
  remote: RemoteFileInfo;
  localPath: string;
  /** Full re-downloads allowed after a digest mismatch. */
  maxRefetches?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

interface DownloadResult {
  bytes: number;
  /** Where the first request of this run started (> 0 when an earlier run left a .part file). */
  resumedFrom: number;
  networkRetries: number;
  refetches: number;
}

const sizeOrZero = async (file: string) => (await fileSize(file)) ?? 0;

/** Keeps a .part file only if it was started for the same etag and size as the source now reports. */
async function preparePart(part: string, remote: RemoteFileInfo): Promise<void> {
  const record = await readRecord(`${part}.json`);
  if (!record || record.etag !== remote.etag || record.size !== remote.size) await rm(part, { force: true });
  await writeRecord(`${part}.json`, remote);
}

export async function downloadHubFile(file: HubFile, options: DownloadOptions): Promise<DownloadResult> {
  const { remote, localPath } = options;
  const what = `${file.repo}/${file.path}`;
  const part = partialPath(localPath);
  await mkdir(path.dirname(localPath), { recursive: true });
  await preparePart(part, remote);
  const result: DownloadResult = { bytes: 0, resumedFrom: await sizeOrZero(part), networkRetries: 0, refetches: 0 };
  if (result.resumedFrom > 0) options.log?.(`${what}: resuming at byte ${result.resumedFrom}`);
  const host = new URL(options.source.endpoint).host;
  for (;;) {
    let bytesBefore = await sizeOrZero(part);
    let attempts = 0;
    const { retries } = await withRetries(
      what,
      host,
      async (watch) => {
        bytesBefore = await sizeOrZero(part);
        if (attempts++ > 0 && bytesBefore > 0) options.log?.(`${what}: resuming at byte ${bytesBefore}`);
        await fetchRemainder(file, part, watch, options);
      },
      options,
      async () => (await sizeOrZero(part)) > bytesBefore,
    );
    result.networkRetries += retries;
    const verdict = await verifyPart(part, remote);
    if (verdict !== 'ok') {
      result.refetches++;
      await rm(part, { force: true });
      options.log?.(`${what}: ${verdict}; downloading it again`);
      if (result.refetches > (options.maxRefetches ?? 2)) throw new MemeError('BAD_WEIGHTS', `${what}: ${verdict} after ${result.refetches} downloads`);
      continue;
    }
    result.bytes = await sizeOrZero(part);
    await rename(part, localPath);
    await rm(`${part}.json`, { force: true });
    await writeRecord(verifiedRecordPath(localPath), { etag: remote.etag, size: result.bytes });
    return result;
  }
}

/** 'ok', or why the finished .part file is not the source's file. */
async function verifyPart(part: string, remote: RemoteFileInfo): Promise<string> {
  const size = await sizeOrZero(part);
  if (remote.size !== null && size !== remote.size) return `size mismatch (${size} bytes, the source says ${remote.size})`;
  const matches = await fileMatchesEtag(part, remote.etag);
  return matches === false ? `checksum mismatch (expected ${remote.etag})` : 'ok';
}
