// The webgpu target on the tiny goldens: every graph builds with only ops the WebGPU EP runs (nothing would fall
// back to the CPU), and its fp16 numbers, run here on the CPU EP (fp16 kernels where the CPU has them, else the
// fp16-rounded twin), stay within 1e-2 of the fp32 goldens, so the target is right wherever it later runs.
// scripts/device/webgpu-tiny-check.ts runs the same cases on a real WebGPU adapter.
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/graph/onnx/graph-builder.ts';
import { assertRunsOnTarget, nodesOffTarget } from '../../src/graph/onnx/target-check.ts';
import { runFp16OnCpu } from './fp16-on-cpu.ts';
import { maxAbsDiff } from './golden-helpers.ts';
import { type TinyCase, tinyCases } from './webgpu-tiny-cases.ts';

const TOL = 1e-2;
const report: Record<string, string> = {};

async function check(c: TinyCase, twin = false): Promise<void> {
  expect(c.graph.target).toBe('webgpu');
  expect(nodesOffTarget(c.graph).map((n) => `${n.opType} (${n.name})`), c.name).toEqual([]);
  const { outputs, mode } = await runFp16OnCpu(c.graph, c.feeds, { twin });
  const errors: string[] = [];
  for (const [name, ref] of Object.entries(c.expected)) {
    expect([...outputs[name].dims], `${c.name} ${name}`).toEqual([...ref.dims]);
    const err = maxAbsDiff(ref.data, outputs[name].data as Float32Array);
    errors.push(`${name} ${err.toExponential(2)}`);
    expect(err, `${c.name} ${name}`).toBeLessThanOrEqual(TOL);
  }
  report[twin ? `${c.name} (twin)` : c.name] = `${c.graph.floatType}, ${mode}: ${errors.join(', ')}`;
}

describe('webgpu target on the tiny goldens (SD1.5 UNet, VAE, CLIP; HelloMeme reference, control, denoiser; Real-ESRGAN)', () => {
  it('builds every graph for WebGPU and matches the fp32 goldens within 1e-2', async () => {
    const seen: string[] = [];
    for await (const c of tinyCases()) {
      try {
        seen.push(c.name);
        await check(c);
        if (c.name === 'unet') {
          expect(c.graph.floatType).toBe('float16');
          // The same graph with fp16 storage rounding after every node, for runtimes whose CPU EP lacks fp16 kernels.
          await check(c, true);
        }
        // CLIP's pooled output needs an ArgMax over int64 ids, which WebGPU lacks; SD and HelloMeme use last_hidden_state.
        if (c.name === 'clip-text') expect(c.graph.outputs.map((o) => o.name)).not.toContain('pooled_output');
        // The reference maps are cached and read by every denoiser call: fp32 on every target (build-graph.ts).
        if (c.name === 'hm5-reference') expect(c.graph.floatType).toBe('float32');
        if (c.name.startsWith('hm5-denoise')) expect(c.graph.floatType).toBe('float16');
      } finally {
        await c.close();
      }
    }
    expect(seen).toEqual(['unet', 'vae-encoder-float32', 'vae-decoder-float32', 'vae-encoder-float16', 'vae-decoder-float16', 'clip-text', 'hm5-reference', 'hm5-control', 'hm5-denoise', 'hm5-denoise-pad', 'esrgan-x2']);
  }, 120_000);

  it('refuses to write a webgpu graph with a node its EP lacks, naming it', () => {
    const g = new GraphBuilder({ target: 'webgpu' });
    const x = g.input('x', 'float32', [1, 8]);
    g.output(g.op('ArgMax', [x], { axis: { kind: 'int', value: 1 } }), 'y', 'int64', [1, 1]);
    expect(() => assertRunsOnTarget(g)).toThrow(/1 node\(s\) of this webgpu graph would run on the CPU .*ArgMax \(ArgMax_1\)/);
    // Shape arithmetic is exempt: with every input size bound at session creation, ORT folds it to constants.
    const h = new GraphBuilder({ target: 'webgpu' });
    const y = h.input('y', 'float32', ['batch', 8]);
    h.output(h.op('Reshape', [y, h.op('Concat', [h.op('Shape', [y], { start: { kind: 'int', value: 0 }, end: { kind: 'int', value: 1 } }), h.ints([-1])], { axis: { kind: 'int', value: 0 } })]), 'z', 'float32', null);
    expect(nodesOffTarget(h)).toEqual([]);
  });

  afterAll(() => {
    process.stdout.write(`webgpu target on the CPU EP, max abs error per output:\n${Object.entries(report).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
  });
});
