// `npm run bench:graph`: full-size SD1.5 UNet with random weights (fp32, CPU): build time, session creation,
// one step at batch 2×4×64×64 with 77×768 text, peak RSS. Weights stream to disk one tensor at a time and the
// graph references them in place, so no second copy is ever held in JS.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSd15Graph, sd15Module } from '../src/graph/models/sd15/build-graph.ts';
import { SD15_UNET_CONFIG } from '../src/graph/models/sd15/default-configs.ts';
import { writeModelExternal } from '../src/graph/onnx/model-writer.ts';
import { createSession } from '../src/graph/runtime.ts';
import { openSafetensorsStore } from '../src/graph/weights/weight-store.ts';
import { seededNormals, writeRandomParams } from '../src/pipeline/engines/hellomeme/tiny/tiny-weights.ts';

const RSS_LIMIT_BYTES = 12 * 1024 ** 3;

const seconds = (fromMs: number) => ((performance.now() - fromMs) / 1000).toFixed(2);
const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(2);
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<void> {
  const dir = process.env.MEMELOOM_BENCH_DIR ?? join(tmpdir(), 'memeloom-graph-bench');
  const keep = process.argv.includes('--keep');
  mkdirSync(dir, { recursive: true });
  const weightsPath = join(dir, 'unet-random.safetensors');
  let t = performance.now();
  if (!existsSync(weightsPath)) {
    await writeRandomParams(weightsPath, sd15Module('unet', SD15_UNET_CONFIG), 0);
    console.log(`random weights: ${gib(statSync(weightsPath).size)} GiB written in ${seconds(t)} s`);
  } else console.log(`random weights: reusing ${weightsPath}`);

  const store = await openSafetensorsStore([weightsPath]);
  t = performance.now();
  const g = buildSd15Graph('unet', SD15_UNET_CONFIG, store);
  const written = await writeModelExternal(g, join(dir, 'unet.onnx'));
  console.log(`build: ${seconds(t)} s (${g.nodes.length} nodes, ${written.referencedTensors} weights referenced in place, ${written.copiedTensors} copied)`);
  await store.close();

  t = performance.now();
  const session = await createSession(written.modelPath, { provider: 'cpu', inputs: g.inputs });
  console.log(`session creation: ${seconds(t)} s (peak RSS so far ${gib(peakRssBytes())} GiB)`);

  const feeds = {
    sample: { elem: 'float32' as const, dims: [2, 4, 64, 64], data: seededNormals(2 * 4 * 64 * 64, 7, 1) },
    timestep: { elem: 'float32' as const, dims: [2], data: Float32Array.of(999, 999) },
    encoder_hidden_states: { elem: 'float32' as const, dims: [2, 77, 768], data: seededNormals(2 * 77 * 768, 8, 1) },
  };
  const steps = Number(process.env.MEMELOOM_BENCH_STEPS ?? 2);
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    const out = await session.run(feeds);
    const data = out.out_sample.data as Float32Array;
    const finite = data.every(Number.isFinite);
    console.log(`step ${i + 1}: ${seconds(t)} s (batch 2×4×64×64, text 2×77×768; output ${out.out_sample.dims.join('×')}, finite: ${finite})`);
  }
  await session.dispose();
  const peak = peakRssBytes();
  console.log(`peak RSS: ${gib(peak)} GiB (limit ${gib(RSS_LIMIT_BYTES)} GiB) ${peak <= RSS_LIMIT_BYTES ? 'OK' : 'OVER LIMIT'}`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  if (peak > RSS_LIMIT_BYTES) process.exitCode = 1;
}

await main();
