// `memeloom models build --preset` on a pulled-layout models directory made of the tiny models: it compiles every
// graph the HelloMeme engine needs (SD1.5 parts, v5 modules, PD-FGC, Real-ESRGAN) into the cache, so the engine's
// first job finds them all there and only opens sessions; with --style, a pulled style's graphs too.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloMemeEngineFromModels } from '../../../../../../src/pipeline/engines/hellomeme/engine-from-models.ts';
import { modelPathsFromModelsDir } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { compileUpscalerGraph } from '../../../../../../src/pipeline/engines/hellomeme/upscaler-session.ts';
import { REPO_ROOT } from '../../../../../helpers/fixtures.ts';
import { tinyPresetDir } from './preset-fixtures.ts';

const run = promisify(execFile);
let root: string;
let modelsDir: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'hm-models-build-'));
  modelsDir = path.join(root, 'models');
  await tinyPresetDir(modelsDir);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('memeloom models build --preset', () => {
  it('compiles every graph of the preset, then the engine opens them all from the cache', async () => {
    const cacheDir = path.join(root, 'graphs');
    const args = ['bin/memeloom.js', 'models', 'build', '--preset', 'realistic', '--dir', modelsDir, '--target', 'cpu', '--cache-dir', cacheDir];
    const { stdout } = await run(process.execPath, args, { cwd: REPO_ROOT });
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['clip-text', 'vae-encoder', 'vae-decoder', 'hm5-reference', 'hm5-control', 'hm5-denoise', 'hm5-denoise-pad', 'pd-fgc', 'esrgan']);
    expect(lines.every((l) => l.includes('built in'))).toBe(true);
    const again = await run(process.execPath, args, { cwd: REPO_ROOT });
    expect(again.stdout.trim().split('\n').every((l) => l.includes('(cached;'))).toBe(true);

    const engine = createHelloMemeEngineFromModels(modelsDir, 'realistic', { sessions: { cacheDir, provider: 'cpu', threads: 1 } });
    try {
      const sessions = await engine.warmUp();
      expect([...sessions.graphs.values()].map((g) => g.fromCache)).toEqual([true, true, true, true, true, true, true, true]);
      const upscaler = await compileUpscalerGraph(modelPathsFromModelsDir(modelsDir, 'realistic').upscaler as string, { target: 'cpu', cacheDir });
      expect(upscaler.compiled.fromCache).toBe(true);
    } finally {
      await engine.dispose();
    }
  }, 300_000);

  it("with --style, compiles a pulled style's text encoder and denoisers, which its first job then finds cached", async () => {
    const cacheDir = path.join(root, 'graphs-styled');
    const build = (style: string) => run(process.execPath, ['bin/memeloom.js', 'models', 'build', '--preset', 'realistic', '--dir', modelsDir, '--target', 'cpu', '--cache-dir', cacheDir, '--style', style], { cwd: REPO_ROOT });
    const lines = (await build('all')).stdout.trim().split('\n');
    const styled = lines.filter((l) => l.startsWith('ghibli/'));
    expect(styled.map((l) => l.split(':')[0])).toEqual(['ghibli/clip-text', 'ghibli/clip-text-style', 'ghibli/vae-encoder', 'ghibli/vae-decoder', 'ghibli/hm5-reference', 'ghibli/hm5-control', 'ghibli/hm5-denoise', 'ghibli/hm5-denoise-pad', 'ghibli/pd-fgc']);
    // Only what the style changes is built again; the rest is the unstyled entry.
    const builtAgain = styled.filter((l) => l.includes('built in')).map((l) => l.split(':')[0]);
    expect(builtAgain).toEqual(['ghibli/clip-text-style', 'ghibli/hm5-denoise', 'ghibli/hm5-denoise-pad']);

    const engine = createHelloMemeEngineFromModels(modelsDir, 'realistic', { sessions: { cacheDir, provider: 'cpu', threads: 1 } });
    try {
      const sessions = await engine.warmUp('ghibli');
      expect(sessions.style).toBe('ghibli');
      expect([...sessions.graphs.values()].every((g) => g.fromCache)).toBe(true);
    } finally {
      await engine.dispose();
    }
    const missing = await build('drawing').catch((error: { stderr: string; code: number }) => error);
    expect('code' in missing && missing.code).not.toBe(0);
    expect((missing as { stderr: string }).stderr).toMatch(/models pull --style drawing/);
  }, 300_000);

  it('says which command fills the models directory when the preset is missing', async () => {
    const empty = path.join(root, 'empty');
    const failed = await run(process.execPath, ['bin/memeloom.js', 'models', 'build', '--preset', 'realistic', '--dir', empty], { cwd: REPO_ROOT }).catch((error: { stderr: string; code: number }) => error);
    expect('code' in failed && failed.code).not.toBe(0);
    expect((failed as { stderr: string }).stderr).toMatch(/models pull --preset realistic/);
  });
});
