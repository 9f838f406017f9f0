// The HelloMeme `graph run` cases (derived from the module goldens) through the real command line: `node bin/memeloom.js graph run --model hm5-…`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/graph/runtime.ts';
import { maxAbsDiff, readTensor, repoRoot } from '../golden-helpers.ts';
import { deriveGraphRunCase } from '../graph-run-cases.ts';
import { expectGraphRunCase, runCli as run } from '../graph-run-case.ts';

const work = mkdtempSync(join(tmpdir(), 'hm5-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('memeloom graph run (HelloMeme v5)', () => {
  for (const name of ['hm5-reference', 'hm5-control', 'hm5-denoise', 'hm5-denoise-pad']) {
    it(`passes the ${name} case`, () => expectGraphRunCase(name, work));
  }

  it('`graph build --model hm5-control` writes an .onnx that reproduces the case', async () => {
    const c = await deriveGraphRunCase('hm5-control', work);
    const onnxPath = join(work, 'hm5-control.onnx');
    await run(process.execPath, ['bin/memeloom.js', 'graph', 'build', '--model', 'hm5-control', '--weights', c.weights, '--out', onnxPath], { cwd: repoRoot });
    const session = await createSession(onnxPath, { provider: 'cpu', threads: 1 });
    try {
      const feeds = { condition: await readTensor(c.inputs, 'condition'), pd_fpg: await readTensor(c.inputs, 'pd_fpg') };
      const out = await session.run(feeds);
      const expected = await readTensor(c.outputs, 'control.up3_3');
      expect(maxAbsDiff(expected.data, out['control.up3_3'].data as Float32Array)).toBeLessThanOrEqual(1e-4);
    } finally {
      await session.dispose();
    }
  });

  it('names the missing module folder with a coded error', async () => {
    const c = await deriveGraphRunCase('hm5-control', work);
    const err = await run(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'hm5-denoise', '--weights', work, '--inputs', c.inputs, '--out', join(work, 'x.safetensors')], { cwd: repoRoot }).catch((e: { stderr: string; code: number }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/FILE_NOT_FOUND: .*unet_base/);
  });
});
