// Inputs for the loop at frame counts the loop golden never ran: the loop golden's reference cache and prompt
// embeddings, its 14 frames of control maps cycled over N (frame i takes golden frame 5i mod 14), fresh base noise
// and fresh scheduler draws for every level of the plan (the project's seeded generator, so nothing random is
// stored). The same tensors feed `memeloom graph run --model hm5-loop` in the tests and HelloMeme's own gen_video in
// make_golden.py. As a script: `npx tsx unseen-inputs.ts N DIR` writes DIR/inputs.safetensors and DIR/noise.safetensors.
import { join } from 'node:path';
import { writeSafetensors } from '../../../../src/graph/weights/safetensors-writer.ts';
import { planTemporalLevels } from '../../../../src/pipeline/engines/hellomeme/temporal-windows.ts';
import { seededNormals } from '../../../helpers/tiny-hellomeme/tiny-weights.ts';
import { type GoldenTensor, readSafetensors } from '../../../helpers/read-safetensors.ts';

export const UNSEEN_STEPS = 4;
const SIDE = 16;
const PLANE = SIDE * SIDE;

export type Tensors = Map<string, GoldenTensor>;

export function unseenInputs(n: number): Tensors {
  const golden = readSafetensors(join(import.meta.dirname, '..', 'loop', 'inputs.safetensors'));
  const out: Tensors = new Map([['base_noise', { shape: [1, 4, n + 13, SIDE, SIDE], data: seededNormals(4 * (n + 13) * PLANE, 9000 + n) }]]);
  for (const [name, t] of golden) {
    if (name.startsWith('control.')) {
      const [b, c, f, h, w] = t.shape;
      const plane = h * w;
      const data = new Float32Array(b * c * n * plane);
      for (let bc = 0; bc < b * c; bc++) for (let i = 0; i < n; i++) data.set(t.data.subarray((bc * f + ((5 * i) % f)) * plane, (bc * f + ((5 * i) % f) + 1) * plane), (bc * n + i) * plane);
      out.set(name, { shape: [b, c, n, h, w], data });
    } else if (name === 'prompt_embeds' || name.startsWith('ref_cache.')) out.set(name, t);
  }
  return out;
}

export function unseenNoise(n: number): Tensors {
  return new Map(
    planTemporalLevels(n).map((l) => [`depth${l.depth}.noises`, { shape: [UNSEEN_STEPS, 1, 4, l.indexes.length, SIDE, SIDE], data: seededNormals(UNSEEN_STEPS * 4 * l.indexes.length * PLANE, 100 * n + l.depth) }]),
  );
}

export async function writeTensors(path: string, tensors: Tensors): Promise<void> {
  await writeSafetensors(path, [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data })));
}

if (process.argv[1] === import.meta.filename) {
  const [n, dir] = [Number(process.argv[2]), process.argv[3]];
  await writeTensors(join(dir, 'inputs.safetensors'), unseenInputs(n));
  await writeTensors(join(dir, 'noise.safetensors'), unseenNoise(n));
}
