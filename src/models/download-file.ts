// Downloads one model file into <path>.part with Range resume (across retries and across runs), verifies its
// size and digest against what the source published, then renames it into place. One file; no presets here;
// when to retry is transfer-retry.ts's decision.
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemeError } from '../errors.ts';
import { fileMatchesEtag } from './file-digest.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFile } from './model-source.ts';
import { partialPath, verifiedRecordPath } from './models-dir.ts';
import type { StallWatch } from './stall-watch.ts';
import { type RetryOptions, withRetries } from './transfer-retry.ts';

export interface DownloadProgress {
  file: HubFile;
  receivedBytes: number;
  totalBytes: number | null;
}

export interface DownloadOptions extends RetryOptions {
  source: ModelSource;
  remote: RemoteFile;
  localPath: string;
  /** Full re-downloads allowed after a digest mismatch. */
  maxRefetches?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  bytes: number;
  /** Where the first request of this run started (> 0 when an earlier run left a .part file). */
  resumedFrom: number;
  networkRetries: number;
  refetches: number;
}

/** The record next to a verified file, and next to a .part file (to resume only the same version). */
export interface FileRecord {
  etag: string | null;
  size: number | null;
}

async function sizeOrZero(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function readRecord(file: string): Promise<FileRecord | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as FileRecord;
  } catch {
    return null;
  }
}

/** Keeps a .part file only if it was started for the same etag and size as the source now reports. */
async function preparePart(part: string, remote: RemoteFile): Promise<void> {
  const record = await readRecord(`${part}.json`);
  if (!record || record.etag !== remote.etag || record.size !== remote.size) await rm(part, { force: true });
  await writeFile(`${part}.json`, JSON.stringify({ etag: remote.etag, size: remote.size } satisfies FileRecord));
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
    await writeFile(verifiedRecordPath(localPath), JSON.stringify({ etag: remote.etag, size: result.bytes } satisfies FileRecord));
    return result;
  }
}

/** 'ok', or why the finished .part file is not the source's file. */
async function verifyPart(part: string, remote: RemoteFile): Promise<string> {
  const size = await sizeOrZero(part);
  if (remote.size !== null && size !== remote.size) return `size mismatch (${size} bytes, the source says ${remote.size})`;
  const matches = await fileMatchesEtag(part, remote.etag);
  return matches === false ? `checksum mismatch (expected ${remote.etag})` : 'ok';
}

/** One GET from the current .part size to the end, appended to the .part file; every chunk feeds the watch. */
async function fetchRemainder(file: HubFile, part: string, watch: StallWatch, options: DownloadOptions): Promise<void> {
  const { remote } = options;
  let offset = await sizeOrZero(part);
  if (remote.size !== null && offset >= remote.size) return;
  const response = await options.source.open(file, offset, watch);
  if (response.status === 416) {
    await response.body?.cancel();
    await rm(part, { force: true });
    throw new MemeError('ENGINE_UNAVAILABLE', 'the server refused the resume range', { retryable: true });
  }
  if (response.status === 206) {
    const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== offset) {
      await response.body?.cancel();
      await rm(part, { force: true });
      throw new MemeError('ENGINE_UNAVAILABLE', `the server resumed at byte ${start}, not ${offset}`, { retryable: true });
    }
  } else if (offset > 0) {
    offset = 0; // a 200 to a Range request is the whole file: start over
  }
  if (!response.body) throw new MemeError('ENGINE_UNAVAILABLE', 'empty response body', { retryable: true });
  let received = offset;
  // Each chunk is on disk before the next is read, so a cut connection loses nothing already received.
  const handle = await open(part, offset > 0 ? 'a' : 'w');
  try {
    for await (const chunk of response.body) {
      await handle.write(chunk);
      received += chunk.length;
      watch.touch();
      options.onProgress?.({ file, receivedBytes: received, totalBytes: remote.size });
    }
  } catch (error) {
    if (watch.stalled) throw watch.error;
    throw error;
  } finally {
    await handle.close();
  }
  if (remote.size !== null && received < remote.size) {
    throw new MemeError('ENGINE_UNAVAILABLE', `the connection closed at byte ${received} of ${remote.size}`, { retryable: true });
  }
}
