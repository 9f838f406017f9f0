// The renderer with the tiny HelloMeme engine registered: `--engine hellomeme` runs the whole pipeline through it
// (real photo, face analysis, template motion, paste-back, encoding) and `auto` stays on warp without a GPU.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import type { Renderer } from '../../../../../../src/pipeline/meme-spec.ts';
import { createRenderer } from '../../../../../../src/pipeline/render.ts';
import { TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';
import { referenceImage } from '../../../../../helpers/fixtures.ts';

const PHOTO = readFileSync(referenceImage('harris.jpg'));
let renderer: Renderer;

beforeAll(async () => {
  const dir = await tinyModelDir();
  const hellomeme = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu' }, latentSize: TINY_LATENT, steps: 2 });
  renderer = await createRenderer({ hellomeme, gpu: false, cacheDir: path.join(tmpdir(), 'memeloom-test-cache') });
}, 120_000);

afterAll(async () => {
  await renderer?.dispose();
});

describe('render with the hellomeme engine', () => {
  it('registers hellomeme and renders a template through it on request', async () => {
    expect(renderer.engines).toEqual(['warp', 'hellomeme']);
    const result = await renderer.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', engine: 'hellomeme', fps: 4, maxSide: 256, seed: 1 });
    expect(result.engine).toBe('hellomeme');
    expect(result.frameCount).toBeGreaterThan(1);
    expect(Math.max(result.width, result.height)).toBeLessThanOrEqual(256);
    expect(result.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  }, 120_000);

  it('keeps auto on warp when no GPU execution provider is usable', async () => {
    const result = await renderer.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', fps: 4, maxSide: 256 });
    expect(result.engine).toBe('warp');
  }, 120_000);
});
