// `memeloom graph run --model hm5-loop` through the real command line: on the loop golden (HelloMeme's gen_video,
// N = 14) every tensor within the manifest's tolerances, and on frame counts the loop golden never ran (N = 35: four
// depth-0 chunks; N = 134: three levels) the final latents of HelloMeme's own gen_video on the same inputs and draws
// (loop_unseen/reference.safetensors) plus a self-consistency check: the plan equals the one read out of the real
// gen_video (manifest chunk_plans), every step follows from the recorded chunk predictions and draws, and the
// keyframe pads and a padded chunk's prediction are reproduced by the single-graph commands.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../../src/graph/weights/safetensors-writer.ts';
import { unseenInputs, unseenNoise, writeTensors } from '../../golden/hellomeme_v5_tiny/loop_unseen/unseen-inputs.ts';
import { golden, repoRoot } from '../golden-helpers.ts';
import { runCli } from '../graph-run-case.ts';
import { readGoldenJson } from '../../helpers/read-golden-json.ts';
import { type GoldenTensor, maxAbsDiff, readSafetensors, sliceFirst } from '../../helpers/read-safetensors.ts';

const WEIGHTS = golden('hellomeme_v5_tiny');
const LOOP = golden('hellomeme_v5_tiny', 'loop');
const manifest = readGoldenJson<{
  tolerance: { latents_scale: { max_abs: number; tensors: string[] }; epsilon_scale: { max_abs: number; tensors: string[] } };
  config: { scheduler: { timesteps: number[]; sigmas: number[] } };
  chunk_plans: { plans: Record<string, PlanLevel[]> };
  plan: PlanLevel[];
}>(join(LOOP, 'manifest.json'));
interface PlanLevel {
  depth: number;
  indexes: number[];
  chunks: number[][];
  chunks_noise: number[][];
  chunk_pads: ([number, number] | null)[];
  pads_written: number[];
}
const LEVELS = ['down_0', 'down_1', 'down_2', 'down_3', 'up_0', 'up_1', 'up_2', 'up_3'];
const CONTROL = ['down3_0', 'down3_1', 'down3_2', 'down3_3', 'up3_0', 'up3_1', 'up3_2', 'up3_3'];
const STEPS = 4;
const GUIDANCE = 1.5;
const H = 16;
const PLANE = H * H;

const work = mkdtempSync(join(tmpdir(), 'hm5-loop-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Tensors = Map<string, GoldenTensor>;

function get(map: Tensors, name: string): GoldenTensor {
  const t = map.get(name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
}

async function runLoop(inputs: string, noise: string, out: string, extra: string[] = []): Promise<Tensors> {
  await runCli(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'hm5-loop', '--weights', WEIGHTS, '--inputs', inputs, '--noise', noise, '--out', out, ...extra], { cwd: repoRoot, maxBuffer: 1 << 24 });
  return readSafetensors(out);
}

/** x[:, :, frames] of a [B, C, F, h, w] tensor (plane = h·w). */
function framesOf(t: GoldenTensor, frames: readonly number[]): Float32Array {
  const [b, c, f] = t.shape;
  const plane = t.data.length / (b * c * f);
  const out = new Float32Array(b * c * frames.length * plane);
  let o = 0;
  for (let bc = 0; bc < b * c; bc++) {
    for (const p of frames) {
      out.set(t.data.subarray((bc * f + p) * plane, (bc * f + p + 1) * plane), o);
      o += plane;
    }
  }
  return out;
}

describe('graph run --model hm5-loop on the loop golden (N = 14)', () => {
  it('matches every golden tensor within the manifest tolerances, timesteps and keyframes exactly', async () => {
    const out = await runLoop(join(LOOP, 'inputs.safetensors'), join(LOOP, 'scheduler_noise.safetensors'), join(work, 'golden-out.safetensors'), ['--steps', '4', '--guidance', '1.5']);
    const expected: Tensors = new Map([...readSafetensors(join(LOOP, 'intermediates.safetensors')), ...readSafetensors(join(LOOP, 'outputs.safetensors'))]);
    const { latents_scale, epsilon_scale } = manifest.tolerance;
    const checked = new Set<string>();
    for (const [name, want] of expected) {
      const got = get(out, name);
      expect(got.shape, name).toEqual(want.shape);
      const err = maxAbsDiff(got.data, want.data);
      if (latents_scale.tensors.includes(name)) expect(err, name).toBeLessThanOrEqual(latents_scale.max_abs);
      else if (epsilon_scale.tensors.includes(name)) expect(err, name).toBeLessThanOrEqual(epsilon_scale.max_abs);
      else if (name.endsWith('.sigmas')) expect(err, name).toBeLessThanOrEqual(1e-5);
      else expect(err, name).toBe(0);
      checked.add(name);
    }
    // Every tolerance entry names a tensor the run wrote; the measured error is far inside them (about 1e-4 on latents).
    for (const name of [...latents_scale.tensors, ...epsilon_scale.tensors]) expect(checked.has(name), name).toBe(true);
    expect(maxAbsDiff(get(out, 'latents').data, get(expected, 'latents').data)).toBeLessThan(1e-3);
  }, 120_000);

  it('refuses a noise file whose levels do not fit the inputs, and --steps that disagree with it', async () => {
    const inputs = join(LOOP, 'inputs.safetensors');
    const short = join(work, 'noise-depth0-only.safetensors');
    const noise = readSafetensors(join(LOOP, 'scheduler_noise.safetensors'));
    const d0 = get(noise, 'depth0.noises');
    await writeSafetensors(short, [{ name: 'depth0.noises', dtype: 'F32', shape: d0.shape, data: d0.data }]);
    const missing = await runLoop(inputs, short, join(work, 'x.safetensors')).catch((e: { stderr: string; code: number }) => e);
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stderr: string }).stderr).toMatch(/BAD_TENSOR: the noise file has no 'depth1\.noises'/);
    const steps = await runLoop(inputs, join(LOOP, 'scheduler_noise.safetensors'), join(work, 'x.safetensors'), ['--steps', '25']).catch((e: { stderr: string }) => e);
    expect((steps as { stderr: string }).stderr).toMatch(/BAD_OPTION: --steps 25 but the noise file records 4 steps/);
  }, 60_000);
});

/** diffusers' DPM-Solver++ 2M SDE step (manifest step_formulas) in float64, from the golden's sigma table. */
function dpmStep(sigmas: number[], i: number, x: Float32Array, eps: Float32Array, prevEps: Float32Array | null, prevX: Float32Array | null, z: Float32Array): Float64Array {
  const point = (s: number) => {
    const alpha = 1 / Math.sqrt(s * s + 1);
    return { alpha, s: s * alpha, lambda: Math.log(alpha) - Math.log(s * alpha) };
  };
  const cur = point(sigmas[i]);
  const next = point(sigmas[i + 1]);
  const out = new Float64Array(x.length);
  const last = i === sigmas.length - 2;
  for (let k = 0; k < x.length; k++) {
    const x0 = (x[k] - cur.s * eps[k]) / cur.alpha;
    if (last) {
      out[k] = x0;
      continue;
    }
    const h = next.lambda - cur.lambda;
    let d = x0;
    if (prevEps && prevX && i > 0) {
      const prev = point(sigmas[i - 1]);
      const x0Prev = (prevX[k] - prev.s * prevEps[k]) / prev.alpha;
      const r = (cur.lambda - prev.lambda) / h;
      d = x0 + (0.5 * (x0 - x0Prev)) / r;
    }
    out[k] = (next.s / cur.s) * Math.exp(-h) * x[k] + next.alpha * (1 - Math.exp(-2 * h)) * d + next.s * Math.sqrt(1 - Math.exp(-2 * h)) * z[k];
  }
  return out;
}

describe('graph run --model hm5-loop on frame counts without a golden', () => {
  for (const n of [35, 134]) {
    it(`N = ${n}: HelloMeme's final latents, the real gen_video's plan, consistent steps, pads and chunk predictions`, async () => {
      const plan = manifest.chunk_plans.plans[String(n)];
      const inputsPath = join(work, `inputs-${n}.safetensors`);
      const noisePath = join(work, `noise-${n}.safetensors`);
      const inputs = unseenInputs(n);
      const noise = unseenNoise(n);
      await writeTensors(inputsPath, inputs);
      await writeTensors(noisePath, noise);
      const out = await runLoop(inputsPath, noisePath, join(work, `out-${n}.safetensors`));

      // HelloMeme's own gen_video on the same tensors (make_golden.py): within the loop tolerance on latents.
      const reference = get(readSafetensors(golden('hellomeme_v5_tiny', 'loop_unseen', 'reference.safetensors')), `latents_n${n}`);
      expect(get(out, 'latents').shape).toEqual(reference.shape);
      expect(maxAbsDiff(get(out, 'latents').data, reference.data)).toBeLessThanOrEqual(manifest.tolerance.latents_scale.max_abs);

      // The plan: levels, chunk lengths and keyframes as HelloMeme's own gen_video makes them for this N.
      const depths = [...out.keys()].filter((k) => /^depth\d+\.timesteps$/.test(k)).map((k) => Number(k.slice(5, -10)));
      expect(depths.sort()).toEqual(plan.map((l) => l.depth).sort());
      const keyframes = [...new Set(plan.filter((l) => l.depth > 0).flatMap((l) => l.pads_written))].sort((a, b) => a - b);
      expect([...get(out, 'keyframes.frames').data]).toEqual(keyframes);
      expect(get(out, 'latents').shape).toEqual([1, 4, n, H, H]);
      const sigmas = manifest.config.scheduler.sigmas;
      const guide = (uncond: number, cond: number) => uncond + GUIDANCE * (cond - uncond);
      for (const level of plan) {
        const d = level.depth;
        const frames = level.indexes.length;
        expect([...get(out, `depth${d}.timesteps`).data]).toEqual(manifest.config.scheduler.timesteps);
        expect([...out.keys()].filter((k) => k.startsWith(`depth${d}.chunk`))).toHaveLength(level.chunks.length);
        const latents = get(out, `depth${d}.latents`);
        const outputs = get(out, `depth${d}.model_outputs`);
        expect(latents.shape).toEqual([STEPS + 1, 1, 4, frames, H, H]);
        // Level start: base noise by position, not by frame id.
        expect(maxAbsDiff(sliceFirst(latents, 0), framesOf(get(inputs, 'base_noise'), level.indexes.map((_, p) => p)))).toBe(0);
        for (let s = 0; s < STEPS; s++) {
          // The step's model output is CFG over the chunk predictions averaged on shared positions.
          const sum = new Float64Array(2 * 4 * frames * PLANE);
          const count = new Float64Array(frames);
          level.chunks_noise.forEach((positions, k) => {
            const pred = get(out, `depth${d}.chunk${k}.noise_pred`);
            expect(pred.shape, `depth${d}.chunk${k}`).toEqual([STEPS, 2, 4, positions.length, H, H]);
            const p = sliceFirst(pred, s);
            for (const pos of positions) count[pos]++;
            for (let bc = 0; bc < 8; bc++) positions.forEach((pos, j) => {
              for (let e = 0; e < PLANE; e++) sum[(bc * frames + pos) * PLANE + e] += p[(bc * positions.length + j) * PLANE + e];
            });
          });
          const half = 4 * frames * PLANE;
          const want = new Float64Array(half).map((_, i) => guide(sum[i] / count[Math.floor(i / PLANE) % frames], sum[half + i] / count[Math.floor(i / PLANE) % frames]));
          expect(maxAbsDiff(sliceFirst(outputs, s), want), `depth${d} step ${s} model output`).toBeLessThan(1e-5);
          // The scheduler step with this level's own draw for this step.
          const prev = s > 0 ? { eps: sliceFirst(outputs, s - 1), x: sliceFirst(latents, s - 1) } : null;
          const next = dpmStep(sigmas, s, sliceFirst(latents, s), sliceFirst(outputs, s), prev?.eps ?? null, prev?.x ?? null, sliceFirst(get(noise, `depth${d}.noises`), s));
          expect(maxAbsDiff(sliceFirst(latents, s + 1), next), `depth${d} step ${s} latents`).toBeLessThan(1e-3);
        }
      }
      const depth0 = get(out, 'depth0.latents');
      expect(maxAbsDiff(get(out, 'latents').data, sliceFirst(depth0, STEPS))).toBe(0);
      const depth1 = get(out, 'depth1.latents');
      const depth1Plan = plan.find((l) => l.depth === 1) as PlanLevel;
      const finalDepth1 = { shape: [1, 4, depth1Plan.indexes.length, H, H], data: sliceFirst(depth1, STEPS) };
      expect(maxAbsDiff(get(out, 'keyframes.latents').data, framesOf(finalDepth1, keyframes.map((f) => depth1Plan.indexes.indexOf(f))))).toBe(0);

      // The pads are the reference UNet on [zeros, keyframe latent] with prompt_embeds (hm5-reference, one frame each).
      const k = keyframes.length;
      const keyLatents = get(out, 'keyframes.latents');
      const refLatent = new Float32Array(2 * k * 4 * PLANE);
      for (let f = 0; f < k; f++) refLatent.set(framesOf(keyLatents, [f]), (k + f) * 4 * PLANE);
      const text = get(inputs, 'prompt_embeds');
      const textPerRow = text.data.length / 2;
      const ehs = new Float32Array(2 * k * textPerRow);
      for (let r = 0; r < 2 * k; r++) ehs.set(text.data.subarray(r < k ? 0 : textPerRow, r < k ? textPerRow : 2 * textPerRow), r * textPerRow);
      const refIn = join(work, `ref-${n}.safetensors`);
      await writeSafetensors(refIn, [
        { name: 'ref_latent', dtype: 'F32', shape: [2 * k, 4, H, H], data: refLatent },
        { name: 'encoder_hidden_states', dtype: 'F32', shape: [2 * k, text.shape[1], text.shape[2]], data: ehs },
      ]);
      await runCli(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'hm5-reference', '--weights', WEIGHTS, '--inputs', refIn, '--out', join(work, `ref-out-${n}.safetensors`)], { cwd: repoRoot });
      const refOut = readSafetensors(join(work, `ref-out-${n}.safetensors`));
      for (const level of LEVELS) {
        const pad = get(out, `pad.${level}`);
        const maps = get(refOut, `ref_cache.${level}`); // [2k, C, h, w]: rows 0..k-1 uncond, k..2k-1 cond
        const [, c, mh, mw] = maps.shape;
        const asPad = new Float32Array(maps.data.length);
        for (let b = 0; b < 2; b++) for (let ch = 0; ch < c; ch++) for (let f = 0; f < k; f++) asPad.set(maps.data.subarray(((b * k + f) * c + ch) * mh * mw, ((b * k + f) * c + ch + 1) * mh * mw), ((b * c + ch) * k + f) * mh * mw);
        expect(maxAbsDiff(pad.data, asPad), `pad.${level}`).toBeLessThan(1e-4);
      }

      // The last depth-0 chunk at the last step, rerun alone through hm5-denoise with its keyframe pads.
      const level0 = plan.find((l) => l.depth === 0) as PlanLevel;
      const last = level0.chunks.length - 1;
      const [first, end] = level0.chunk_pads[last] as [number, number];
      const chunkLatents = framesOf({ shape: [1, 4, n, H, H], data: sliceFirst(depth0, STEPS - 1) }, level0.chunks_noise[last]);
      const pair = new Float32Array(chunkLatents.length * 2);
      pair.set(chunkLatents);
      pair.set(chunkLatents, chunkLatents.length);
      const F = level0.chunks[last].length;
      const denoiseIn = join(work, `denoise-${n}.safetensors`);
      await writeSafetensors(denoiseIn, [
        { name: 'latent_model_input', dtype: 'F32', shape: [2, 4, F, H, H], data: pair },
        { name: 'timestep', dtype: 'F32', shape: [1], data: Float32Array.of(manifest.config.scheduler.timesteps[STEPS - 1]) },
        { name: 'encoder_hidden_states', dtype: 'F32', shape: text.shape, data: text.data },
        ...[0, 1, 2, 3].map((i) => ({ name: `ref_cache.up_${i}`, dtype: 'F32' as const, shape: get(inputs, `ref_cache.up_${i}`).shape, data: get(inputs, `ref_cache.up_${i}`).data })),
        ...CONTROL.map((key) => {
          const t = get(inputs, `control.${key}`);
          return { name: `control.${key}`, dtype: 'F32' as const, shape: [2, t.shape[1], F, t.shape[3], t.shape[4]], data: framesOf(t, level0.chunks[last]) };
        }),
        ...LEVELS.map((l) => {
          const t = get(out, `pad.${l}`);
          return { name: `pad.${l}`, dtype: 'F32' as const, shape: [2, t.shape[1], 2, t.shape[3], t.shape[4]], data: framesOf(t, [keyframes.indexOf(first), keyframes.indexOf(end)]) };
        }),
      ]);
      await runCli(process.execPath, ['bin/memeloom.js', 'graph', 'run', '--model', 'hm5-denoise', '--weights', WEIGHTS, '--inputs', denoiseIn, '--out', join(work, `denoise-out-${n}.safetensors`)], { cwd: repoRoot });
      const rerun = get(readSafetensors(join(work, `denoise-out-${n}.safetensors`)), 'noise_pred');
      expect(maxAbsDiff(rerun.data, sliceFirst(get(out, `depth0.chunk${last}.noise_pred`), STEPS - 1))).toBeLessThan(1e-5);
    }, 240_000);
  }
});
