// `npm run bench:hellomeme`: the HelloMeme engine's stages at the real SD1.5 + HelloMeme v5 sizes with random
// weights, for a 4 s template at 8 fps. Each stage runs once on the real sessions and is extrapolated to the clip
// (full-size CPU renders take hours); the UNet frame-evaluation count comes from a dry run of the sampling loop.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPRESSION_DIM, poseImageFor } from '../src/pipeline/engines/hellomeme/control-signals.ts';
import { controlMaps, decodeFrames, encodePrompts, loopModels, referenceMaps, sampleReferenceLatent } from '../src/pipeline/engines/hellomeme/engine-stages.ts';
import { SD15_LATENT_SIZE } from '../src/pipeline/engines/hellomeme/hellomeme-engine.ts';
import { DEFAULT_PROMPT } from '../src/pipeline/engines/hellomeme/prompt.ts';
import { planMemory } from '../test/helpers/hellomeme-memory-plan.ts';
import { modelPathsFromModuleFolder } from '../src/pipeline/engines/hellomeme/model-paths.ts';
import { GaussianNoise } from '../src/pipeline/engines/hellomeme/schedulers/gaussian-noise.ts';
import { openHelloMemeSessions, SESSION_NAMES, type SessionName } from '../src/pipeline/engines/hellomeme/session-set.ts';
import { keyframeReferencePasses, planTemporalLevels, unetFrameEvaluations } from '../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { FULL_HELLOMEME_PLAN, writeRandomHelloMeme, writeRandomUpscaler } from '../test/helpers/tiny-hellomeme/tiny-hellomeme.ts';
import { openUpscalerSession } from '../src/pipeline/engines/hellomeme/upscaler-session.ts';
import { denoiserCalls, runV5SamplingLoop, seededLoopNoise } from '../src/pipeline/engines/hellomeme/v5-sampling-loop.ts';

const SECONDS = Number(process.env.MEMELOOM_BENCH_SECONDS ?? 4);
const FPS = Number(process.env.MEMELOOM_BENCH_FPS ?? 8);
const STEPS = 25;
const L = SD15_LATENT_SIZE;
const S = L * 8;

const ms = (from: number) => performance.now() - from;
const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(2);
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;
let extrapolatedMs = 0;
const row = (stage: string, measuredMs: number, per: string, times: number) => {
  extrapolatedMs += measuredMs * times;
  console.log(`${stage.padEnd(16)} ${(measuredMs / 1000).toFixed(2).padStart(8)} s  ${per.padEnd(30)} × ${String(times).padStart(5)} = ${((measuredMs * times) / 1000).toFixed(1).padStart(9)} s`);
};
/** ORT's first run of a session allocates and plans; the bench reports the second (warm) run unless told not to. */
const WARM_RUNS = Number(process.env.MEMELOOM_BENCH_WARMUP ?? 1);
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  for (let i = 0; i < WARM_RUNS; i++) await fn();
  const from = performance.now();
  const value = await fn();
  return { value, ms: ms(from) };
}

/** Counts what the real loop driver asks of the UNet over a whole clip, with zero predictions (no model). */
async function dryRunFrameEvaluations(frameCount: number): Promise<{ calls: number; frameEvaluations: number }> {
  let calls = 0;
  let frameEvaluations = 0;
  const noise = seededLoopNoise(1, frameCount, L, L);
  await runV5SamplingLoop(
    {
      async denoise(call) {
        calls++;
        frameEvaluations += call.frames.length * (call.classifierFreeGuidance ? 2 : 1);
        return new Float32Array(call.latents.length);
      },
      async writePads() {},
    },
    { frameCount, latentHeight: L, latentWidth: L, ...noise, steps: STEPS, guidanceScale: 1.5 },
  );
  return { calls, frameEvaluations };
}

async function main(): Promise<void> {
  const dir = process.env.MEMELOOM_BENCH_DIR ?? join(tmpdir(), 'memeloom-hellomeme-bench');
  const models = join(dir, 'models');
  const frameCount = Math.round(SECONDS * FPS);
  mkdirSync(dir, { recursive: true });
  let t = performance.now();
  if (!existsSync(join(models, 'text_encoder', 'model.safetensors'))) {
    await writeRandomHelloMeme(models, 1, FULL_HELLOMEME_PLAN);
    console.log(`random full-size weights written in ${(ms(t) / 1000).toFixed(1)} s to ${models}`);
  } else console.log(`random full-size weights: reusing ${models}`);
  // Folders written before the upscaler joined the model set get it now.
  if (!modelPathsFromModuleFolder(models).upscaler) await writeRandomUpscaler(models, 8001, FULL_HELLOMEME_PLAN.upscaler);

  t = performance.now();
  const s = await openHelloMemeSessions(modelPathsFromModuleFolder(models), { cacheDir: join(dir, 'graphs'), residency: process.env.MEMELOOM_BENCH_RESIDENCY === 'all' ? 'all' : 'stage' });
  console.log(`graphs (${s.provider}, residency ${s.residency}) compiled or found in ${(ms(t) / 1000).toFixed(1)} s: ${Object.entries(s.openMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}`);
  const ready = async (...names: SessionName[]) => {
    for (const name of names) await s.session(name);
  };
  const probe = Number(process.env.MEMELOOM_BENCH_WINDOW_FRAMES ?? (s.provider === 'cuda' ? 12 : 2));
  const levels = planTemporalLevels(frameCount);
  const evaluations = unetFrameEvaluations(frameCount, STEPS, true);
  const keyframes = keyframeReferencePasses(frameCount);
  console.log(`\n${SECONDS} s at ${FPS} fps = ${frameCount} frames, ${STEPS} steps, CFG 1.5, latent ${L}², levels ${levels.map((l) => `(${l.depth}: ${l.indexes.length} frames, ${l.chunks.length} windows)`).join(' ')}`);
  console.log(`${'stage'.padEnd(16)} ${'measured'.padStart(10)}  ${'per'.padEnd(30)}   count    clip total`);
  try {
    await ready('clip-text', 'vae-encoder', 'hm5-reference');
    const { value: text, ms: textMs } = await timed(() => encodePrompts(s, DEFAULT_PROMPT));
    row('clip text', textMs, '1 call [2, 77]', 1);
    const image = new GaussianNoise(5, 0).next(3 * S * S).map((v) => Math.max(-1, Math.min(1, v * 0.5)));
    const { value: latent, ms: encodeMs } = await timed(() => sampleReferenceLatent(s, image, S, 1));
    row('vae encode', encodeMs, `1 image ${S}²`, 1);
    const { value: reference, ms: refMs } = await timed(() => referenceMaps(s, latent.data as Float32Array, latent.dims, text));
    row('reference unet', refMs, '1 pass [2, 4, 64, 64]', 1);
    await s.release('clip-text', 'vae-encoder');
    await ready('hm5-control');
    const poses = new Float32Array(probe * 3 * S * S);
    for (let f = 0; f < probe; f++) poses.set(poseImageFor(-20 + 4 * f, 0, 0, S), f * 3 * S * S);
    const controls = { frameCount: probe, imageSize: S, poseImages: poses, expressions: new Float32Array(probe * EXPRESSION_DIM), source: 'bench head turn' };
    const { value: control, ms: controlMs } = await timed(() => controlMaps(s, controls, undefined, () => {}));
    row('control net', controlMs / probe, `1 frame (of ${probe}), CFG`, frameCount);
    await s.release('hm5-control');
    const modelsForLoop = loopModels(s, { text, reference, control, latentSize: L });
    const padLatent = new GaussianNoise(6, 0).next(4 * L * L);
    const pads = await timed(() => modelsForLoop.writePads([0, probe - 1], [padLatent, padLatent]));
    row('keyframe pads', pads.ms / 2, '1 reference pass', keyframes);
    const latents = new GaussianNoise(7, 0).next(2 * 4 * probe * L * L);
    const frames = Array.from({ length: probe }, (_, i) => i);
    await s.release('hm5-reference');
    await ready('hm5-denoise-pad');
    const call = { level: levels[levels.length - 1], chunkIndex: 0, stepIndex: 0, timestep: 999, frames, pads: [0, probe - 1] as [number, number], classifierFreeGuidance: true, latents };
    const { ms: windowMs } = await timed(() => modelsForLoop.denoise(call));
    row('denoise unet', windowMs / (2 * probe), `1 frame-eval (${probe}-fr window)`, evaluations);
    await s.release('hm5-denoise-pad');
    await ready('vae-decoder');
    const decodeLatent = new Float32Array(4 * L * L).map((_, i) => padLatent[i]);
    const decode = await timed(() => decodeFrames(s, decodeLatent, 1, L, undefined, () => {}));
    row('vae decode', decode.ms, `1 frame ${S}²`, frameCount);
    await s.release('vae-decoder');
    const upscaler = await openUpscalerSession(modelPathsFromModuleFolder(models).upscaler as string, { cacheDir: join(dir, 'graphs'), provider: s.provider });
    const upscale = await timed(() => upscaler.upscale(decode.value[0]));
    await upscaler.dispose();
    row('esrgan ×2', upscale.ms, `1 frame ${S}² → ${2 * S}² (tiled)`, frameCount);
    console.log(`${'clip total'.padEnd(16)} ${''.padStart(10)}  ${'(UNet cost linear in frames)'.padEnd(30)}   ${''.padStart(5)}   ${(extrapolatedMs / 1000).toFixed(1).padStart(9)} s = ${(extrapolatedMs / 3.6e6).toFixed(2)} h`);
    const dry = await dryRunFrameEvaluations(frameCount);
    console.log(`\nUNet frame-evaluations: ${dry.frameEvaluations} counted in a dry run of the sampling loop (${dry.calls} UNet calls = ${denoiserCalls(levels, STEPS)} planned); spec formula unetFrameEvaluations(${frameCount}) = ${evaluations}: ${dry.frameEvaluations === evaluations ? 'equal' : 'DIFFERENT'}`);
    // The spec's table (§6.3): UNet frame-evaluations per step (per CFG half) for its test clips at fps8.
    const specTable: [number, number][] = [[20, 24], [47, 57], [88, 104], [169, 205], [327, 393]];
    const perStep = (n: number) => unetFrameEvaluations(n, 1, false);
    console.log(`per step for ${frameCount} frames: ${perStep(frameCount)} frame-evaluations (≈ 1.2·N = ${(1.2 * frameCount).toFixed(1)}); ×${STEPS} steps ×2 CFG = ${evaluations} (spec: 25 × 1.2 N × 2 ≈ ${Math.round(25 * 1.2 * frameCount * 2)})`);
    console.log(`spec §6.3 table, frame-evaluations per step: ${specTable.map(([n, e]) => `N=${n}: ${perStep(n)}${perStep(n) === e ? '' : ` (spec ${e}!)`}`).join(', ')} ${specTable.every(([n, e]) => perStep(n) === e) ? '(all equal)' : ''}`);
    console.log(`denoise window measured: ${(windowMs / 1000).toFixed(2)} s for [2, 4, ${probe}, ${L}, ${L}] with pads (${s.provider})`);
    const plan = planMemory({ frameCount, latentSize: L, downChannels: [320, 640, 1280, 1280], upChannels: [1280, 1280, 1280, 640] });
    console.log(`host memory plan (fp32): control cache ${gib(plan.controlCacheBytes)} GiB (${(plan.controlBytesPerFrame / 1024 ** 2).toFixed(1)} MiB/frame), pads ${gib(plan.padCacheBytes)} GiB (${plan.keyframes} keyframes), latents ${gib(plan.latentBytes)} GiB`);
    console.log(`session opening (from the graph cache): ${SESSION_NAMES.filter((n) => s.openMs[n]).map((n) => `${n} ${(s.openMs[n] / 1000).toFixed(1)}s`).join(', ')}`);
    console.log(`peak RSS ${gib(peakRssBytes())} GiB (residency ${s.residency})`);
  } finally {
    await s.dispose();
  }
}

await main();
