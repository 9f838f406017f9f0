// Gives each test run its own temporary directory (TMPDIR, inherited by workers and the CLI processes tests
// start) and removes it afterwards, so fixtures that make temp dirs never pile up in the system's /tmp.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'memeloom-vitest-'));
  process.env.TMPDIR = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
