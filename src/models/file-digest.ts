// Digests the hub publishes for a file, computed by streaming from disk: sha256 (the X-Linked-Etag of LFS
// files) and the git blob sha1 (the ETag of small, non-LFS files).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** git's object id of a blob: sha1("blob <size>\0" + content). */
async function gitBlobSha1OfFile(file: string): Promise<string> {
  const { size } = await stat(file);
  const hash = createHash('sha1');
  hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Which digest an entity tag is, once quotes and the weak prefix are stripped. */
function digestKind(etag: string | null): 'sha256' | 'git-sha1' | null {
  if (!etag) return null;
  if (/^[0-9a-f]{64}$/.test(etag)) return 'sha256';
  if (/^[0-9a-f]{40}$/.test(etag)) return 'git-sha1';
  return null;
}

/** Checks a file against the hub's entity tag where that tag is a digest; returns null when it cannot tell. */
export async function fileMatchesEtag(file: string, etag: string | null): Promise<boolean | null> {
  const kind = digestKind(etag);
  if (kind === 'sha256') return (await sha256OfFile(file)) === etag;
  if (kind === 'git-sha1') return (await gitBlobSha1OfFile(file)) === etag;
  return null;
}
