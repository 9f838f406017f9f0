// `memeloom render --face` end to end, as a child process, on a composed three-face photo: --help says the
// numbering, --face 2 renders, a face the photo lacks and a malformed choice are one-line BAD_OPTION errors,
// and a photo with more faces than are animated prints its note.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/fixtures.ts';
import { eightFacePhoto, threeFacePhoto } from '../../helpers/group-photos.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function memeloom(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/memeloom.js'), ...args], { cwd, env: { ...process.env, MEMELOOM_DEBUG: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('memeloom render --face', () => {
  let dir: string;
  let three: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memeloom-cli-group-'));
    three = path.join(dir, 'three.png');
    await writeFile(three, await threeFacePhoto());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('explains the choice and its numbering in --help', async () => {
    const result = await memeloom(['render', '--help'], dir);
    expect(result.stdout).toMatch(/--face all\|largest\|N/);
    expect(result.stdout).toMatch(/reading order: left to right, then top to bottom/);
  });

  it('renders face 2 of three', async () => {
    const out = path.join(dir, 'two.mp4');
    const result = await memeloom(['render', '--photo', three, '--template', 'nice', '--face', '2', '--out', out], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((await stat(out)).size).toBeGreaterThan(10_000);
  });

  it('refuses a face the photo does not have, and a choice that is not one, in one line each', async () => {
    const missing = await memeloom(['render', '--photo', three, '--template', 'nice', '--face', '5'], dir);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/BAD_OPTION.*this photo has 3 faces, so there is no face 5/);
    const malformed = await memeloom(['render', '--photo', three, '--template', 'nice', '--face', 'left'], dir);
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toMatch(/BAD_OPTION.*all, largest or a face number/);
  });

  it('tells when more faces were found than are animated', async () => {
    const eight = path.join(dir, 'eight.png');
    await writeFile(eight, await eightFacePhoto());
    const result = await memeloom(['render', '--photo', eight, '--template', 'nice', '--format', 'mp4', '--out', path.join(dir, 'eight.mp4')], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: 8 faces found: the 6 largest are animated, the others stay still');
  });
});
