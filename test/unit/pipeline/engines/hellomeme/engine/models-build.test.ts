// `memeloom models build --preset` on a pulled-layout models directory made of the tiny models: it compiles every
// graph the HelloMeme engine needs (SD1.5 parts, v5 modules, PD-FGC, Real-ESRGAN) into the cache, so the engine's
// first job finds them all there and only opens sessions; with --style, a pulled style's graphs too.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_SD15_REPO, checkpointRepo, STYLE_REPO, stylePreset, UPSCALER_FILE } from '../../../../../../src/models/model-files.ts';
import { createHelloMemeEngineFromModels } from '../../../../../../src/pipeline/engines/hellomeme/engine-from-models.ts';
import { modelPathsFromModelsDir } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { writeRandomLora } from '../../../../../../src/pipeline/engines/hellomeme/tiny/tiny-lora.ts';
import { compileUpscalerGraph } from '../../../../../../src/pipeline/engines/hellomeme/upscaler-session.ts';
import { golden } from '../../../../../graph/golden-helpers.ts';
import { REPO_ROOT } from '../../../../../helpers/fixtures.ts';
import { tinyModelDir } from './engine-fixtures.ts';
import { writeFaceToolkitModels } from './toolkit-fixtures.ts';

const run = promisify(execFile);
let root: string;
let modelsDir: string;

/** The tiny model set copied where `models pull --preset realistic` puts each repo's files. */
async function tinyPresetDir(dir: string): Promise<void> {
  const tiny = await tinyModelDir();
  const repo = (name: string, ...sub: string[]) => path.join(dir, ...name.split('/'), ...sub);
  const copy = (from: string, to: string) => cpSync(path.join(tiny.models, from), to, { recursive: true });
  copy('text_encoder', repo(BASE_SD15_REPO, 'text_encoder'));
  copy('tokenizer', repo(BASE_SD15_REPO, 'tokenizer'));
  copy('unet_base', repo(BASE_SD15_REPO, 'unet'));
  copy('vae', repo(BASE_SD15_REPO, 'vae'));
  copy('unet_base', repo(checkpointRepo('realistic'), 'unet'));
  copy('vae', repo(checkpointRepo('realistic'), 'vae'));
  for (const module of ['hm5_reference', 'hm5_motion', 'hm5_control_base', 'hm5_control_proj']) copy(module, repo(`songkey/${module}`));
  cpSync(golden('esrgan_x2_tiny', 'weights.pth'), repo(UPSCALER_FILE.repo, UPSCALER_FILE.path));
  await writeFaceToolkitModels(dir);
  const textEncoder = path.join(tiny.models, 'text_encoder', 'model.safetensors');
  await writeRandomLora(repo(STYLE_REPO, stylePreset('ghibli').file.path), { unet: path.join(tiny.models, 'unet_base', 'diffusion_pytorch_model.safetensors'), textEncoder }, 8100);
}

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
