// Downloads one hub file into <path>.part with Range resume (across retries and across runs), verifies its
// size and digest against what the hub published, then renames it into place. One file; no presets here.
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemeError, throwIfAborted } from '../errors.ts';
import { fileMatchesEtag } from './file-digest.ts';
import { type HubConnection, type RemoteFile, hubRequest } from './hub-client.ts';
import type { HubFile } from './model-files.ts';
import { partialPath, verifiedRecordPath } from './models-dir.ts';

export interface DownloadProgress {
  file: HubFile;
  receivedBytes: number;
  totalBytes: number | null;
}

export interface DownloadOptions {
  connection: HubConnection;
  remote: RemoteFile;
  localPath: string;
  signal?: AbortSignal;
  /** Abort and resume when no byte arrives for this long. */
  idleTimeoutMs?: number;
  /** Failed attempts in a row without a byte of progress (each resumes where the last stopped) before giving up. */
  maxAttempts?: number;
  /** First retry delay; doubles each time. */
  retryDelayMs?: number;
  /** Full re-downloads allowed after a digest mismatch. */
  maxRefetches?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** One-line notes for the user: resumes, retries, digest mismatches. */
  log?: (line: string) => void;
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

/** Keeps a .part file only if it was started for the same etag and size as the hub now reports. */
async function preparePart(part: string, remote: RemoteFile): Promise<void> {
  const record = await readRecord(`${part}.json`);
  if (!record || record.etag !== remote.etag || record.size !== remote.size) await rm(part, { force: true });
  await writeFile(`${part}.json`, JSON.stringify({ etag: remote.etag, size: remote.size } satisfies FileRecord));
}

function isFatal(error: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  if (error instanceof MemeError) return error.details.retryable !== true && error.code !== 'TIMEOUT';
  const code = (error as { code?: string }).code;
  return code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EPERM';
}

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function downloadHubFile(file: HubFile, options: DownloadOptions): Promise<DownloadResult> {
  const { remote, localPath, signal } = options;
  const part = partialPath(localPath);
  await mkdir(path.dirname(localPath), { recursive: true });
  await preparePart(part, remote);
  const result: DownloadResult = { bytes: 0, resumedFrom: await sizeOrZero(part), networkRetries: 0, refetches: 0 };
  if (result.resumedFrom > 0) options.log?.(`${file.repo}/${file.path}: resuming at byte ${result.resumedFrom}`);
  // Failures in a row: an attempt that got bytes resets it, so a long file on a flaky line keeps going.
  let failuresInRow = 0;
  for (;;) {
    throwIfAborted(signal);
    const bytesBefore = await sizeOrZero(part);
    try {
      await fetchRemainder(file, part, options);
    } catch (error) {
      if (isFatal(error, signal)) throw signal?.aborted ? new MemeError('CANCELLED', 'the download was cancelled') : error;
      result.networkRetries++;
      failuresInRow = (await sizeOrZero(part)) > bytesBefore ? 1 : failuresInRow + 1;
      if (failuresInRow >= (options.maxAttempts ?? 5)) {
        throw new MemeError('ENGINE_UNAVAILABLE', `cannot download ${file.repo}/${file.path}: ${(error as Error).message}`, { retries: result.networkRetries });
      }
      const waitMs = (options.retryDelayMs ?? 1000) * 2 ** (failuresInRow - 1);
      options.log?.(`${file.repo}/${file.path}: connection lost (${(error as Error).message}); resuming in ${waitMs} ms`);
      await delay(waitMs, signal);
      continue;
    }
    const verdict = await verifyPart(part, remote);
    if (verdict !== 'ok') {
      result.refetches++;
      await rm(part, { force: true });
      options.log?.(`${file.repo}/${file.path}: ${verdict}; downloading it again`);
      if (result.refetches > (options.maxRefetches ?? 2)) throw new MemeError('BAD_WEIGHTS', `${file.repo}/${file.path}: ${verdict} after ${result.refetches} downloads`);
      continue;
    }
    result.bytes = await sizeOrZero(part);
    await rename(part, localPath);
    await rm(`${part}.json`, { force: true });
    await writeFile(verifiedRecordPath(localPath), JSON.stringify({ etag: remote.etag, size: result.bytes } satisfies FileRecord));
    return result;
  }
}

/** 'ok', or why the finished .part file is not the hub's file. */
async function verifyPart(part: string, remote: RemoteFile): Promise<string> {
  const size = await sizeOrZero(part);
  if (remote.size !== null && size !== remote.size) return `size mismatch (${size} bytes, the hub says ${remote.size})`;
  const matches = await fileMatchesEtag(part, remote.etag);
  return matches === false ? `checksum mismatch (expected ${remote.etag})` : 'ok';
}

/** One GET from the current .part size to the end, appended to the .part file. */
async function fetchRemainder(file: HubFile, part: string, options: DownloadOptions): Promise<void> {
  const { remote } = options;
  let offset = await sizeOrZero(part);
  if (remote.size !== null && offset >= remote.size) return;
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const response = await hubRequest(options.connection, file, { method: 'GET', headers, signal });
  if (response.status === 416) {
    await response.body?.cancel();
    await rm(part, { force: true });
    throw new MemeError('ENGINE_UNAVAILABLE', 'the hub refused the resume range', { retryable: true });
  }
  if (response.status === 206) {
    const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== offset) {
      await response.body?.cancel();
      await rm(part, { force: true });
      throw new MemeError('ENGINE_UNAVAILABLE', `the hub resumed at byte ${start}, not ${offset}`, { retryable: true });
    }
  } else if (offset > 0) {
    offset = 0; // a 200 to a Range request is the whole file: start over
  }
  if (!response.body) throw new MemeError('ENGINE_UNAVAILABLE', 'empty response body', { retryable: true });
  let received = offset;
  let timer: NodeJS.Timeout | undefined;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(new MemeError('TIMEOUT', `no data for ${idleMs} ms`)), idleMs);
  };
  // Each chunk is on disk before the next is read, so a cut connection loses nothing already received.
  const handle = await open(part, offset > 0 ? 'a' : 'w');
  arm();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      await handle.write(chunk);
      received += chunk.length;
      arm();
      options.onProgress?.({ file, receivedBytes: received, totalBytes: remote.size });
    }
  } finally {
    clearTimeout(timer);
    await handle.close();
  }
  if (remote.size !== null && received < remote.size) {
    throw new MemeError('ENGINE_UNAVAILABLE', `the connection closed at byte ${received} of ${remote.size}`, { retryable: true });
  }
}
