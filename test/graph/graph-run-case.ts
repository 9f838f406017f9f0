// Runs one ../shared/golden/cli case through the real command line (`node bin/memeloom.js graph run …`)
// and checks every output's presence, shape and max abs error against the case. Shared by the SD1.5 and
// HelloMeme CLI tests.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { golden, maxAbsDiff, readJson, repoRoot } from './golden-helpers.ts';

export const runCli = promisify(execFile);

interface CliCase {
  model: string;
  weights: string;
  config: string | null;
  tolerance: number;
  outputs: Record<string, number[]>;
}

export async function expectGraphRunCase(name: string, workDir: string): Promise<void> {
  const dir = golden('cli', name);
  const c = readJson(join(dir, 'case.json')) as unknown as CliCase;
  const out = join(workDir, `${name}.safetensors`);
  const args = ['bin/memeloom.js', 'graph', 'run', '--model', c.model, '--weights', join(dir, c.weights), '--inputs', join(dir, 'inputs.safetensors'), '--out', out];
  if (c.config) args.push('--config', join(dir, c.config));
  await runCli(process.execPath, args, { cwd: repoRoot });
  await SafetensorsFile.with(join(dir, 'outputs.safetensors'), (expected) =>
    SafetensorsFile.with(out, async (actual) => {
      expect([...expected.tensors.keys()].sort()).toEqual(Object.keys(c.outputs).sort());
      for (const tensor of expected.tensors.keys()) {
        expect(actual.tensors.has(tensor), tensor).toBe(true);
        expect([...actual.info(tensor).shape], tensor).toEqual(c.outputs[tensor]);
        const err = maxAbsDiff(await expected.readFloat32(tensor), await actual.readFloat32(tensor));
        expect(err, tensor).toBeLessThanOrEqual(c.tolerance);
      }
    }),
  );
}
