// `npm run bench:graph`: full-size SD1.5 UNet with random weights (fp32, CPU): build time, session creation,
// one step at batch 2×4×64×64 with 77×768 text, peak RSS. Weights stream to disk one tensor at a time and the
// graph references them in place, so no second copy is ever held in JS. With python3-torch and a diffusers 0.33.1
// checkout (DIFFUSERS_SRC) the same step runs in PyTorch too, alternating with ORT: medians, ratio, both peak RSS
// and how far the two outputs are apart, against the goal (ORT ≤ 0.6× PyTorch's time, no more peak memory).
//
// Fair by construction: both sides get the same intra-op thread count (every core unless MEMELOOM_BENCH_THREADS),
// one warm-up step each that is not counted (first-run allocations, NCHWc weight reorders, oneDNN primitive
// creation), then MEMELOOM_BENCH_STEPS alternating steps; each line carries the 1-minute load average, which counts
// the bench's own threads (about the thread count) plus whatever else runs. MEMELOOM_BENCH_PROFILE=1 adds one
// profiled step on each side and a table of where the time goes by kind of work (bench/op-profile.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSd15Graph, sd15Module } from '../src/graph/models/sd15/build-graph.ts';
import { SD15_UNET_CONFIG } from '../src/graph/models/sd15/default-configs.ts';
import { writeModelExternal } from '../src/graph/onnx/model-writer.ts';
import { createSession } from '../src/graph/runtime.ts';
import { writeSafetensors } from '../src/graph/weights/safetensors-writer.ts';
import { openSafetensorsStore } from '../src/graph/weights/weight-store.ts';
import { seededNormals, writeRandomParams } from '../test/helpers/tiny-hellomeme/tiny-weights.ts';
import { gemmCeilingGflops } from './gemm-ceiling.ts';
import { ortProfileOps, profileReport, torchProfileOps } from './op-profile.ts';
import { startTorchUnet, type TorchUnet, torchComparisonUnavailable } from './torch-comparison.ts';

const RSS_LIMIT_BYTES = 12 * 1024 ** 3;
/** The goal of issue 14 point 8: ORT at most this fraction of PyTorch's step time, with no more peak RSS. */
const GOAL_TIME_RATIO = 0.6;

const seconds = (fromMs: number) => ((performance.now() - fromMs) / 1000).toFixed(2);
const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(2);
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
const load = () => loadavg()[0].toFixed(1);
const spread = (xs: number[]) => `median ${median(xs).toFixed(2)} s (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}, n=${xs.length})`;

async function main(): Promise<void> {
  const dir = process.env.MEMELOOM_BENCH_DIR ?? join(tmpdir(), 'memeloom-graph-bench');
  const keep = process.argv.includes('--keep');
  const threads = Number(process.env.MEMELOOM_BENCH_THREADS ?? availableParallelism());
  const profiling = process.env.MEMELOOM_BENCH_PROFILE === '1';
  mkdirSync(dir, { recursive: true });
  console.log(`threads: ${threads} intra-op on each side (${availableParallelism()} cores); load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min)`);
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
  const profilePrefix = join(dir, 'ort-profile');
  const session = await createSession(written.modelPath, { provider: 'cpu', inputs: g.inputs, threads, ...(profiling ? { profileFilePrefix: profilePrefix } : {}) });
  console.log(`session creation: ${seconds(t)} s (peak RSS so far ${gib(peakRssBytes())} GiB)`);

  const feeds = {
    sample: { elem: 'float32' as const, dims: [2, 4, 64, 64], data: seededNormals(2 * 4 * 64 * 64, 7, 1) },
    timestep: { elem: 'float32' as const, dims: [2], data: Float32Array.of(999, 999) },
    encoder_hidden_states: { elem: 'float32' as const, dims: [2, 77, 768], data: seededNormals(2 * 77 * 768, 8, 1) },
  };
  const unavailable = torchComparisonUnavailable();
  let torch: TorchUnet | null = null;
  if (unavailable) console.log(`PyTorch comparison skipped: ${unavailable}`);
  else {
    const inputsPath = join(dir, 'step-inputs.safetensors');
    await writeSafetensors(inputsPath, Object.entries(feeds).map(([name, f]) => ({ name, dtype: 'F32' as const, shape: f.dims, data: f.data })));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(SD15_UNET_CONFIG));
    t = performance.now();
    torch = await startTorchUnet(weightsPath, inputsPath, join(dir, 'config.json'), threads);
    console.log(`PyTorch side: ${torch.versions}, started in ${seconds(t)} s`);
  }
  const steps = Number(process.env.MEMELOOM_BENCH_STEPS ?? (torch ? 3 : 2));
  console.log(`steps: batch 2×4×64×64, text 2×77×768; ${steps} timed per side after a warm-up; "on N cores" = the process's CPU time / wall time`);
  const ortSeconds: number[] = [];
  const torchSeconds: number[] = [];
  let torchPeak = 0;
  let last: Float32Array | null = null;
  t = performance.now();
  await session.run(feeds);
  let warmUp = `warm-up (not counted): ORT ${seconds(t)} s`;
  if (torch) warmUp += `, PyTorch ${(await torch.step()).seconds.toFixed(2)} s`;
  console.log(`${warmUp}, load ${load()}`);
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    const cpu = process.cpuUsage();
    const out = await session.run(feeds);
    ortSeconds.push((performance.now() - t) / 1000);
    const ortCores = cpuSeconds(process.cpuUsage(cpu)) / ortSeconds[i];
    last = out.out_sample.data as Float32Array;
    const finite = last.every(Number.isFinite);
    let line = `step ${i + 1}: ORT ${ortSeconds[i].toFixed(2)} s on ${ortCores.toFixed(1)} cores (output ${out.out_sample.dims.join('×')}, finite: ${finite})`;
    if (torch) {
      const step = await torch.step();
      torchSeconds.push(step.seconds);
      torchPeak = step.peakRssBytes;
      line += `, PyTorch ${step.seconds.toFixed(2)} s on ${(step.cpuSeconds / step.seconds).toFixed(1)} cores`;
    }
    console.log(`${line}, load ${load()}`);
  }
  if (profiling) {
    // Profiled steps come after the timed ones; ORT's profiler was on throughout (a timestamp pair per node, ~2k
    // nodes: negligible beside a step of seconds), and the report reads its last run only.
    await session.run(feeds);
    session.endProfiling();
    const file = readdirSync(dir).filter((f) => f.startsWith('ort-profile') && f.endsWith('.json')).sort().pop();
    const ortOps = file ? ortProfileOps(join(dir, file)) : [];
    const torchOps = torch ? torchProfileOps(await torch.profile()) : [];
    console.log(`profile of one step (ORT node kernel times${torch ? ', PyTorch aten self CPU times' : ''}):\n${profileReport(ortOps, torchOps)}`);
    console.log(`yardstick: ORT's SGEMM on a 2048² product reaches ${(await gemmCeilingGflops(threads)).toFixed(0)} GFLOP/s with ${threads} threads here, load ${load()}`);
  }
  await session.dispose();
  const peak = peakRssBytes();
  console.log(`ORT step: ${spread(ortSeconds)}`);
  if (torch && last) {
    const outPath = join(dir, 'torch-out.f32');
    await torch.writeOutput(outPath);
    await torch.close();
    const reference = new Float32Array(readFileSync(outPath).buffer.slice(0));
    let maxDiff = 0;
    let maxRef = 0;
    for (let i = 0; i < reference.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(reference[i] - last[i]));
      maxRef = Math.max(maxRef, Math.abs(reference[i]));
    }
    console.log(`PyTorch step: ${spread(torchSeconds)}`);
    const ratio = median(ortSeconds) / median(torchSeconds);
    console.log(`ORT / PyTorch: ${ratio.toFixed(2)}× the time (medians), load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end`);
    console.log(`peak RSS: ORT ${gib(peak)} GiB, PyTorch ${gib(torchPeak)} GiB (${(peak / torchPeak).toFixed(2)}×)`);
    const timeMet = ratio <= GOAL_TIME_RATIO;
    const memoryMet = peak <= torchPeak;
    console.log(`goal: ORT ≤ ${GOAL_TIME_RATIO.toFixed(2)}× PyTorch's step time (${timeMet ? 'met' : 'NOT met'}: ${ratio.toFixed(2)}×) with no more peak RSS (${memoryMet ? 'met' : 'NOT met'}: ${gib(peak)} vs ${gib(torchPeak)} GiB)`);
    console.log(`outputs: max |ORT − PyTorch| = ${maxDiff.toExponential(2)} (output absmax ${maxRef.toFixed(2)})`);
  }
  console.log(`peak RSS: ${gib(peak)} GiB (limit ${gib(RSS_LIMIT_BYTES)} GiB) ${peak <= RSS_LIMIT_BYTES ? 'OK' : 'OVER LIMIT'}`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  if (peak > RSS_LIMIT_BYTES) process.exitCode = 1;
}

await main();
