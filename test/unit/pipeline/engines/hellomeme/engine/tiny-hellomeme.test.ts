// The tiny-weights tool: the official per-module layout that the strict hm5 loader binds, the same bytes for
// the same seed, and the model-path resolvers' coded errors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemeError } from '../../../../../../src/errors.ts';
import { filesForPreset } from '../../../../../../src/models/model-files.ts';
import { localPathOf } from '../../../../../../src/models/models-dir.ts';
import { loadHm5Modules } from '../../../../../../src/graph/models/hellomeme/load-modules.ts';
import { modelPathsFromModelsDir, modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import { TINY_FOLDERS, writeTinyHelloMeme } from '../../../../../helpers/tiny-hellomeme/tiny-hellomeme.ts';

describe('tiny HelloMeme tool', () => {
  it('writes every module folder, bindable by the strict hm5 loader, byte-identical for a seed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'memeloom-tiny-hm-'));
    await writeTinyHelloMeme(join(root, 'a'), 5);
    await writeTinyHelloMeme(join(root, 'b'), 5);
    await writeTinyHelloMeme(join(root, 'c'), 6);
    const paths = modelPathsFromModuleFolder(join(root, 'a'));
    expect(Object.values(paths).length).toBe(11);
    expect(paths.upscaler).toBe(join(root, 'a', 'esrgan', 'RealESRGAN_x2plus.safetensors'));
    for (const model of ['hm5-reference', 'hm5-control', 'hm5-denoise'] as const) {
      const modules = await loadHm5Modules(model, join(root, 'a'));
      await modules.close();
    }
    for (const folder of TINY_FOLDERS.filter((f) => f !== 'tokenizer')) {
      const name = folder === 'text_encoder' ? 'model.safetensors' : folder === 'esrgan' ? 'RealESRGAN_x2plus.safetensors' : 'diffusion_pytorch_model.safetensors';
      const a = readFileSync(join(root, 'a', folder, name));
      expect(a.equals(readFileSync(join(root, 'b', folder, name))), folder).toBe(true);
      expect(a.equals(readFileSync(join(root, 'c', folder, name))), folder).toBe(false);
    }
  });

  it('finds the LoRA styles present in a pulled models directory, and only those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memeloom-pulled-'));
    for (const file of filesForPreset('realistic', ['ghibli'])) {
      mkdirSync(dirname(localPathOf(dir, file)), { recursive: true });
      writeFileSync(localPathOf(dir, file), '');
    }
    expect(modelPathsFromModelsDir(dir, 'realistic').styles).toEqual({ ghibli: join(dir, 'songkey', 'loras_sd_1_5', 'ghibli_anime_v1.safetensors') });
    rmSync(join(dir, 'songkey', 'loras_sd_1_5'), { recursive: true });
    expect(modelPathsFromModelsDir(dir, 'realistic').styles).toBeUndefined();
  });

  it('names the missing folders with a coded error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'memeloom-no-hm-'));
    for (const resolve of [() => modelPathsFromModuleFolder(empty), () => modelPathsFromModelsDir(empty, 'realistic')]) {
      expect(resolve).toThrow(MemeError);
      expect(resolve).toThrow(/unet/);
    }
  });
});
