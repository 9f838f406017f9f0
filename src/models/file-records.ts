// The small JSON records kept next to model files: beside a verified file what the source said about it (so a
// later pull can skip it without re-hashing), beside a .part file which version it belongs to (so only the
// same version is resumed). Also the size-or-nothing stat both pull and download use.
import { readFile, stat, writeFile } from 'node:fs/promises';

interface FileRecord {
  etag: string | null;
  size: number | null;
}

/** Bytes in a file, or null when there is none. */
export async function fileSize(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch {
    return null;
  }
}

export async function readRecord(file: string): Promise<FileRecord | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as FileRecord;
  } catch {
    return null;
  }
}

export async function writeRecord(file: string, record: FileRecord): Promise<void> {
  await writeFile(file, JSON.stringify({ etag: record.etag, size: record.size } satisfies FileRecord));
}
