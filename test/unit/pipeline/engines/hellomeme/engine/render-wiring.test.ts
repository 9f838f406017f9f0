// The renderer with the tiny HelloMeme engine registered: `--engine hellomeme` runs the whole pipeline through it
// (real photo, face analysis, template motion, paste-back, encoding), and both callers of the `auto` decision (the
// CLI's renderer and the bot service) keep auto on warp without a GPU provider and take HelloMeme with one.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemeService } from '../../../../../../src/bots/service.ts';
import type { MemeRequest } from '../../../../../../src/bots/service-types.ts';
import { createHelloMemeEngine, type HelloMemeEngine } from '../../../../../../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { modelPathsFromModuleFolder } from '../../../../../../src/pipeline/engines/hellomeme/model-paths.ts';
import type { Renderer } from '../../../../../../src/pipeline/meme-spec.ts';
import { createRenderer } from '../../../../../../src/pipeline/render.ts';
import { loadTemplateCatalog } from '../../../../../../src/templates/catalog.ts';
import { gpuOn, noGpu } from '../../../../../helpers/gpu-probes.ts';
import { RecordingReplier, testConfig } from '../../../../bots/service-fixtures.ts';
import { TINY_LATENT, tinyModelDir } from './engine-fixtures.ts';
import { referenceImage } from '../../../../../helpers/fixtures.ts';

const PHOTO = readFileSync(referenceImage('harris.jpg'));
const cacheDir = path.join(tmpdir(), 'memeloom-test-cache');
let hellomeme: HelloMemeEngine;
let cpuOnly: Renderer;
let withWebGpu: Renderer;

beforeAll(async () => {
  const dir = await tinyModelDir();
  hellomeme = createHelloMemeEngine({ paths: modelPathsFromModuleFolder(dir.models), sessions: { cacheDir: dir.cache, provider: 'cpu' }, latentSize: TINY_LATENT, steps: 2 });
  cpuOnly = await createRenderer({ hellomeme, probe: noGpu(), cacheDir });
  withWebGpu = await createRenderer({ hellomeme, probe: gpuOn('webgpu'), cacheDir });
}, 120_000);

afterAll(async () => {
  await cpuOnly?.dispose();
  await withWebGpu?.dispose();
});

describe('render with the hellomeme engine', () => {
  it('registers hellomeme and renders a template through it on request', async () => {
    expect(cpuOnly.engines).toEqual(['warp', 'hellomeme']);
    const result = await cpuOnly.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', engine: 'hellomeme', fps: 4, maxSide: 256, seed: 1 });
    expect(result.engine).toBe('hellomeme');
    expect(result.frameCount).toBeGreaterThan(1);
    expect(Math.max(result.width, result.height)).toBeLessThanOrEqual(256);
    expect(result.bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  }, 120_000);
});

describe('the auto decision, as the CLI renderer takes it', () => {
  it('keeps auto on warp when no GPU execution provider runs, though the models are there', async () => {
    expect(cpuOnly.autoChoice).toMatchObject({ engine: 'warp', reason: expect.stringMatching(/no GPU execution provider runs here/) });
    const result = await cpuOnly.render({ photo: PHOTO, templateId: 'nod-along', format: 'gif', fps: 4, maxSide: 256 });
    expect(result.engine).toBe('warp');
  }, 120_000);

  it('takes hellomeme on WebGPU when that provider runs', () => {
    expect(withWebGpu.autoChoice).toMatchObject({ engine: 'hellomeme', device: 'webgpu' });
  });
});

describe('the auto decision, as the bot service takes it', () => {
  const request = (): MemeRequest => ({ platform: 'web', userId: 'web:alice', photo: PHOTO, templateId: 'nod-along', format: 'gif' });

  async function deliveredEngine(renderer: Renderer): Promise<string> {
    const service = createMemeService({ config: testConfig({ MEMELOOM_GPU_DEVICES: '1' }), renderer, templates: await loadTemplateCatalog() });
    const replier = new RecordingReplier();
    await service.submit(request(), replier);
    const end = await replier.ended;
    await service.shutdown(1000);
    if (end.kind !== 'deliver') throw new Error(`expected a result, got ${JSON.stringify(end)}`);
    return end.result.engine;
  }

  it('sends auto jobs to warp on a CPU-only bot with the HelloMeme models pulled', async () => {
    expect(await deliveredEngine(cpuOnly)).toBe('warp');
  }, 120_000);

  it('sends auto jobs to hellomeme where the renderer found a GPU provider', async () => {
    expect(await deliveredEngine(withWebGpu)).toBe('hellomeme');
  }, 120_000);
});
