// Runs one `graph run` case (derived from the module goldens, graph-run-cases.ts) through the real command line
// (`node bin/memeloom.js graph run …`) and checks every output's presence, shape and max abs error. Shared by the
// SD1.5 and HelloMeme CLI tests.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { maxAbsDiff, repoRoot } from './golden-helpers.ts';
import { deriveGraphRunCase } from './graph-run-cases.ts';

export const runCli = promisify(execFile);

export async function expectGraphRunCase(name: string, workDir: string): Promise<void> {
  const c = await deriveGraphRunCase(name, workDir);
  const out = join(workDir, `${name}.safetensors`);
  const args = ['bin/memeloom.js', 'graph', 'run', '--model', c.model, '--weights', c.weights, '--inputs', c.inputs, '--out', out];
  if (c.config) args.push('--config', c.config);
  await runCli(process.execPath, args, { cwd: repoRoot });
  await SafetensorsFile.with(c.outputs, (expected) =>
    SafetensorsFile.with(out, async (actual) => {
      for (const tensor of expected.tensors.keys()) {
        expect(actual.tensors.has(tensor), tensor).toBe(true);
        expect([...actual.info(tensor).shape], tensor).toEqual([...expected.info(tensor).shape]);
        const err = maxAbsDiff(await expected.readFloat32(tensor), await actual.readFloat32(tensor));
        expect(err, tensor).toBeLessThanOrEqual(c.tolerance);
      }
    }),
  );
}
