// Wall time of the README's main command as a new user meets it: `memeloom render` in a child process with a
// fresh HOME (no model, motion, graph or result cache: cold), then again with the same HOME (warm). This is the
// figure the README quotes, so it is measured the way a person runs it, launcher and module loading included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processSettings } from '../config.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = path.join(REPO, 'bin', 'memeloom.js');

interface CliWallTimes {
  coldMs: number;
  warmMs: number;
}

/** Times `render --photo PHOTO --template TEMPLATE` cold then warm; throws with the child's stderr if it fails. */
export function measureCliWallTimes(photo: string, templateId: string): CliWallTimes {
  const home = mkdtempSync(path.join(tmpdir(), 'memeloom-bench-home-'));
  const out = path.join(home, 'meme.gif');
  // Only HOME and PATH: settings from the operator's environment (cache dirs, engine) would not be a fresh machine.
  const env = { HOME: home, PATH: processSettings().searchPath };
  const once = (): number => {
    const started = performance.now();
    const child = spawnSync(process.execPath, [LAUNCHER, 'render', '--photo', photo, '--template', templateId, '--out', out], { env, encoding: 'utf8' });
    const ms = performance.now() - started;
    if (child.status !== 0) throw new Error(`memeloom render failed (exit ${child.status}): ${child.stderr}`);
    return ms;
  };
  try {
    return { coldMs: once(), warmMs: once() };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
