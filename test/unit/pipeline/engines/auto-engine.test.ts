// The one owner of `engine: auto` and the HelloMeme device: probe order (CUDA, then WebGPU), reasons, and each
// decision logged once; plus the real probe of this machine.
import { describe, expect, it } from 'vitest';
import type { GpuProvider } from '../../../../src/graph/runtime.ts';
import { createSession, probeProvider } from '../../../../src/graph/runtime.ts';
import { GraphBuilder } from '../../../../src/graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../../../../src/graph/onnx/model-writer.ts';
import { chooseAutoEngine, chooseDevice } from '../../../../src/pipeline/engines/auto-engine.ts';
import { hellomemeModelsPresent } from '../../../../src/pipeline/engines/hellomeme/engine-from-models.ts';
import { gpuOn, noGpu } from '../../../helpers/gpu-probes.ts';

describe('chooseDevice', () => {
  it('tries CUDA, then WebGPU, and takes the first that runs', async () => {
    const asked: GpuProvider[] = [];
    expect(await chooseDevice('auto', gpuOn('cuda', asked))).toMatchObject({ device: 'cuda', gpu: true });
    expect(asked).toEqual(['cuda']);
    asked.length = 0;
    expect(await chooseDevice('auto', gpuOn('webgpu', asked))).toMatchObject({ device: 'webgpu', gpu: true });
    expect(asked).toEqual(['cuda', 'webgpu']);
  });

  it('falls back to the CPU when neither runs, saying what each probe found', async () => {
    const decision = await chooseDevice('auto', noGpu());
    expect(decision).toMatchObject({ device: 'cpu', gpu: false });
    expect(decision.reason).toMatch(/cuda does not run here.*webgpu does not run here/);
  });

  it('probes only the provider named and keeps it even when it fails (no silent CPU); none for --device cpu', async () => {
    const asked: GpuProvider[] = [];
    expect(await chooseDevice('webgpu', gpuOn('cuda', asked))).toMatchObject({ device: 'webgpu', gpu: false, reason: expect.stringMatching(/no webgpu here/) });
    expect(asked).toEqual(['webgpu']);
    asked.length = 0;
    expect(await chooseDevice('cpu', gpuOn('cuda', asked))).toMatchObject({ device: 'cpu', gpu: false });
    expect(asked).toEqual([]);
  });
});

describe('chooseAutoEngine', () => {
  it('picks hellomeme only with its models and a GPU provider, and says why otherwise', async () => {
    const gpu = await chooseDevice('auto', gpuOn('webgpu'));
    const cpu = await chooseDevice('auto', noGpu());
    expect(await chooseAutoEngine(true, gpu)).toMatchObject({ engine: 'hellomeme', device: 'webgpu', reason: expect.stringMatching(/ran on webgpu/) });
    expect(await chooseAutoEngine(true, cpu)).toMatchObject({ engine: 'warp', reason: expect.stringMatching(/no GPU execution provider runs here/) });
    expect(await chooseAutoEngine(false, gpu)).toMatchObject({ engine: 'warp', reason: expect.stringMatching(/models pull/) });
  });

  it('logs each decision once however often it is asked', async () => {
    const lines: string[] = [];
    const cpu = await chooseDevice('auto', noGpu());
    for (let i = 0; i < 3; i++) await chooseAutoEngine(true, cpu, (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^engine auto → warp: HelloMeme models are present but no GPU/);
  });

  it('finds no HelloMeme models in an empty models directory', async () => {
    expect(await hellomemeModelsPresent('/nonexistent/memeloom-models')).toBe(false);
  });
});

describe('probeProvider on this machine', () => {
  it('answers once per process, and a provider it calls usable really runs a graph', async () => {
    for (const provider of ['cuda', 'webgpu'] as const) {
      const first = probeProvider(provider);
      expect(probeProvider(provider)).toBe(first);
      const result = await first;
      expect(result.detail.length).toBeGreaterThan(10);
      if (!result.usable) continue;
      const g = new GraphBuilder();
      const x = g.input('x', 'float32', [2]);
      g.output(g.op('Mul', [x, x]), 'y', 'float32', [2]);
      const session = await createSession(await encodeModelInline(g), { provider, inputs: g.inputs });
      const out = await session.run({ x: { elem: 'float32', dims: [2], data: Float32Array.of(3, 4) } });
      expect([...(out.y.data as Float32Array)]).toEqual([9, 16]);
      await session.dispose();
    }
  }, 60_000);
});
