// Every SD1.5 `cli/` case through the real command line: `node bin/memeloom.js graph run …`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { golden, maxAbsDiff, readJson, repoRoot } from './golden-helpers.ts';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'graph-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('memeloom graph run', () => {
  for (const name of ['unet', 'vae-encoder', 'vae-decoder', 'clip-text']) {
    it(`passes cli/${name}`, async () => {
      const dir = golden('cli', name);
      const c = readJson(join(dir, 'case.json')) as { model: string; weights: string; config: string | null; tolerance: number };
      const out = join(work, `${name}.safetensors`);
      const args = ['bin/memeloom.js', 'graph', 'run', '--model', c.model, '--weights', join(dir, c.weights), '--inputs', join(dir, 'inputs.safetensors'), '--out', out];
      if (c.config) args.push('--config', join(dir, c.config));
      await run(process.execPath, args, { cwd: repoRoot });
      await SafetensorsFile.with(join(dir, 'outputs.safetensors'), (expected) =>
        SafetensorsFile.with(out, async (actual) => {
          for (const tname of expected.tensors.keys()) {
            expect(actual.tensors.has(tname), tname).toBe(true);
            const err = maxAbsDiff(await expected.readFloat32(tname), await actual.readFloat32(tname));
            expect(err, tname).toBeLessThanOrEqual(c.tolerance);
          }
        }),
      );
    });
  }

  it('fails with a coded error naming the bad model', async () => {
    const dir = golden('cli', 'unet');
    const err = await run(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'nope', '--weights', join(dir, 'weights.safetensors'), '--inputs', join(dir, 'inputs.safetensors'), '--out', join(work, 'x.safetensors')], { cwd: repoRoot }).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toContain("BAD_OPTION: unknown --model 'nope'");
  });
});
