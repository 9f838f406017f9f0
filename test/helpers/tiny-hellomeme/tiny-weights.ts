// Random weights for a Module tree with the goldens' recipe (norm scales 1 + 0.1·N, biases 0.05·N, other
// weights N(0, 1/fan_in)), so zero-initialised projections are live and every path contributes. Streamed one
// tensor at a time, so full-size SD1.5 sets never sit in memory whole. No file layout here.
import type { Module } from '../../../src/graph/nn/module.ts';
import { type TensorSpec, writeSafetensorsStreaming } from '../../../src/graph/weights/safetensors-writer.ts';

/** xorshift32 + Box–Muller: fast, seeded N(0, scale²) values; the same stream for the same seed everywhere. */
export function seededNormals(count: number, seed: number, scale = 1, offset = 0): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = scale * Math.sqrt(-2 * Math.log(next()));
    const a = 2 * Math.PI * next();
    out[i] = offset + r * Math.cos(a);
    if (i + 1 < count) out[i + 1] = offset + r * Math.sin(a);
  }
  return out;
}

/** The values of parameter `index` (seed + index + 1) of `spec`, by the recipe above. */
export function randomParam(spec: TensorSpec, seed: number): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.name.endsWith('bias')) return seededNormals(count, seed, 0.05);
  if (spec.shape.length === 1) return seededNormals(count, seed, 0.1, 1);
  return seededNormals(count, seed, 1 / Math.sqrt(count / spec.shape[0]));
}

/** Writes random values for every parameter of `module` to a safetensors file, named as its weights are. */
export async function writeRandomParams(path: string, module: Module, seed: number): Promise<number> {
  const specs: TensorSpec[] = [...module.namedParams()].map(([name, slot]) => ({ name, dtype: 'F32', shape: [...slot.shape] }));
  await writeSafetensorsStreaming(path, specs, (spec, i) => randomParam(spec, seed + i + 1));
  return specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}
