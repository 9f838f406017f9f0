// Job inputs and results for remote jobs, so BullMQ records carry keys, not megabytes. The default store is a
// folder every bot and worker process mounts (BLOB_DIR); an S3-compatible store would implement the same interface.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MemeError } from '../errors.ts';

const KEY_PATTERN = /^[0-9a-f-]{36}(\.[a-z0-9]{1,5})?$/;

/** Extension point: put/get/delete by opaque key, plus a local path for readers that need a file (ffmpeg). */
export interface BlobStore {
  put(bytes: Buffer, ext?: string): Promise<string>;
  get(key: string): Promise<Buffer>;
  /** A file holding the blob; release() removes any temporary copy (not the blob). */
  localFile(key: string): Promise<{ path: string; release(): Promise<void> }>;
  delete(key: string): Promise<void>;
  /** Deletes blobs older than the TTL; returns how many. */
  sweep(nowMs?: number): Promise<number>;
}

export class FolderBlobStore implements BlobStore {
  readonly #dir: string;
  readonly #ttlMs: number;

  constructor(dir: string, ttlMs: number) {
    this.#dir = dir;
    this.#ttlMs = ttlMs;
  }

  async put(bytes: Buffer, ext?: string): Promise<string> {
    const key = `${randomUUID()}${ext ? `.${ext.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 5)}` : ''}`;
    await mkdir(this.#dir, { recursive: true });
    // Write then rename, so a reader on another machine never sees half a file.
    const temp = path.join(this.#dir, `.${key}.part`);
    await writeFile(temp, bytes, { mode: 0o640 });
    await rename(temp, this.#file(key));
    return key;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#file(key));
    } catch (error) {
      throw new MemeError('INTERNAL', `blob ${key} is missing from ${this.#dir} (is BLOB_DIR shared by every process?)`, {
        cause: (error as Error).message,
      });
    }
  }

  async localFile(key: string): Promise<{ path: string; release(): Promise<void> }> {
    const file = this.#file(key);
    await stat(file).catch(() => {
      throw new MemeError('INTERNAL', `blob ${key} is missing from ${this.#dir}`);
    });
    return { path: file, release: async () => undefined };
  }

  async delete(key: string): Promise<void> {
    await rm(this.#file(key), { force: true });
  }

  async sweep(nowMs = Date.now()): Promise<number> {
    let removed = 0;
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(this.#dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile() && nowMs - info.mtimeMs > this.#ttlMs) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  #file(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new MemeError('INTERNAL', `not a blob key: ${JSON.stringify(key).slice(0, 80)}`);
    return path.join(this.#dir, key);
  }
}

/** Sweeps every interval (unref'd); returns a function that stops it. */
export function startBlobSweeper(store: BlobStore, intervalMs: number, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => void store.sweep().catch(onError), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
