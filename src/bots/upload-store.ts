// Uploaded driver clips on disk for the pipeline (which reads clips by path), and optional retention of uploads.
// Files live under <dataDir>/work (deleted when the job ends) and <dataDir>/retained (swept after the retention age).
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class UploadStore {
  readonly #workDir: string;
  readonly #retainDir: string;
  readonly #retentionMs: number;

  constructor(dataDir: string, retentionHours: number) {
    this.#workDir = path.join(dataDir, 'work');
    this.#retainDir = path.join(dataDir, 'retained');
    this.#retentionMs = retentionHours * 3600_000;
  }

  get retaining(): boolean {
    return this.#retentionMs > 0;
  }

  /** Writes a job's clip where the pipeline can read it; call the returned function when the job ends. */
  async stageClip(jobId: string, bytes: Buffer, ext: string): Promise<{ path: string; release(): Promise<void> }> {
    await mkdir(this.#workDir, { recursive: true });
    const file = path.join(this.#workDir, `${jobId}.${ext}`);
    await writeFile(file, bytes, { mode: 0o600 });
    return { path: file, release: () => rm(file, { force: true }) };
  }

  /** Keeps a copy of the uploads when retention is configured; otherwise nothing is written. */
  async retain(jobId: string, files: { name: string; bytes: Buffer }[]): Promise<void> {
    if (!this.retaining) return;
    await mkdir(this.#retainDir, { recursive: true });
    await Promise.all(files.map((f) => writeFile(path.join(this.#retainDir, `${jobId}-${f.name}`), f.bytes, { mode: 0o600 })));
  }

  /** Deletes retained uploads older than the retention age and work files left by a crash; returns how many. */
  async sweep(nowMs = Date.now()): Promise<number> {
    let removed = 0;
    for (const [dir, maxAgeMs] of [
      [this.#retainDir, this.#retentionMs],
      [this.#workDir, 24 * 3600_000],
    ] as const) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(dir, name);
        const info = await stat(file).catch(() => undefined);
        if (info && nowMs - info.mtimeMs > maxAgeMs) {
          await rm(file, { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
