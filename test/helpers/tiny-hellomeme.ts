// The HelloMeme engine on the tiny random weights the project's own tool writes (scripts/make-tiny-hellomeme.ts),
// for tests of bots whose HelloMeme engine is available: with `gpuProbe` the renderer's `auto` decision takes it,
// as on a machine with a working GPU provider. Its frames are noise-like (random weights) but real engine output.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHelloMemeEngine } from '../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../src/pipeline/engines/hellomeme/model-paths.ts';
import { writeTinyHelloMeme } from './tiny-hellomeme/tiny-hellomeme.ts';
import type { RendererOptions } from '../../src/pipeline/render.ts';
import { gpuOn } from './gpu-probes.ts';

/** Writes the tiny models into a fresh folder; the engine runs on the CPU EP with 2 steps at a 16² latent. */
export async function tinyHelloMemeRenderer(seed = 101): Promise<Pick<RendererOptions, 'hellomeme' | 'probe'>> {
  const root = mkdtempSync(path.join(tmpdir(), 'memeloom-tiny-hm-'));
  await writeTinyHelloMeme(path.join(root, 'models'), seed);
  const hellomeme = createHelloMemeEngine({
    paths: modelPathsFromModuleFolder(path.join(root, 'models')),
    sessions: { cacheDir: path.join(root, 'graphs'), provider: 'cpu' },
    latentSize: 16,
    steps: 2,
  });
  return { hellomeme, probe: gpuOn('webgpu') };
}
