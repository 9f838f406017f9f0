// Every SD1.5 `graph run` case (derived from the module goldens) through the real command line: `node bin/memeloom.js graph run …`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './golden-helpers.ts';
import { deriveGraphRunCase } from './graph-run-cases.ts';
import { expectGraphRunCase, runCli as run } from './graph-run-case.ts';

const work = mkdtempSync(join(tmpdir(), 'graph-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('memeloom graph run', () => {
  for (const name of ['unet', 'vae-encoder', 'vae-decoder', 'clip-text']) {
    it(`passes the ${name} case`, () => expectGraphRunCase(name, work));
  }

  it('fails with a coded error naming the bad model', async () => {
    const c = await deriveGraphRunCase('unet', work);
    const err = await run(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'nope', '--weights', c.weights, '--inputs', c.inputs, '--out', join(work, 'x.safetensors')], { cwd: repoRoot }).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toContain("BAD_OPTION: unknown --model 'nope'");
  });
});
