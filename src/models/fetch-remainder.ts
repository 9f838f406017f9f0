// One GET of a model file from the current size of its .part file to the end (a Range request when resuming),
// appended chunk by chunk, each chunk feeding the stall watch. Checks that a 206 starts where asked; a 200 to a
// Range request restarts the file. Whether to retry is the caller's decision.
import { open, rm } from 'node:fs/promises';
import { MemeError } from '../errors.ts';
import { fileSize } from './file-records.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFileInfo } from './model-source.ts';
import type { StallWatch } from './stall-watch.ts';

interface RemainderOptions {
  source: ModelSource;
  remote: RemoteFileInfo;
  onProgress?: (progress: { file: HubFile; receivedBytes: number; totalBytes: number | null }) => void;
}

/** One GET from the current .part size to the end, appended to the .part file; every chunk feeds the watch. */
export async function fetchRemainder(file: HubFile, part: string, watch: StallWatch, options: RemainderOptions): Promise<void> {
  const { remote } = options;
  let offset = (await fileSize(part)) ?? 0;
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
