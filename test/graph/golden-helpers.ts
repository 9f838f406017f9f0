// Shared helpers for the graph tests: golden paths, building + running a model in-process, error measures.
import { randomParam, seededNormals } from '../helpers/tiny-hellomeme/tiny-weights.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type GraphBuildOptions, type Sd15Model, buildSd15Graph } from '../../src/graph/models/sd15/build-graph.ts';
import { encodeModelInline } from '../../src/graph/onnx/model-writer.ts';
import type { Module } from '../../src/graph/nn/module.ts';
import { type GraphSession, type HostTensor, createSession } from '../../src/graph/runtime.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { type WeightStore, storeFromHost } from '../../src/graph/weights/weight-store.ts';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
export const goldenDir = resolve(repoRoot, 'test', 'golden');

export function golden(...parts: string[]): string {
  return resolve(goldenDir, ...parts);
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export function maxAbsDiff(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (expected.length !== actual.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(expected[i] - actual[i]);
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}

export async function readTensor(path: string, name: string): Promise<HostTensor & { data: Float32Array }> {
  return SafetensorsFile.with(path, async (f) => ({ elem: 'float32' as const, dims: [...f.info(name).shape], data: await f.readFloat32(name) }));
}

export function f32(dims: number[], data: Float32Array): HostTensor {
  return { elem: 'float32', dims, data };
}

/** Builds `model` for the CPU target and runs it once on `feeds`. */
export async function buildAndRun(
  model: Sd15Model,
  config: Record<string, unknown>,
  store: WeightStore,
  feeds: Record<string, HostTensor>,
  options: GraphBuildOptions = {},
): Promise<Record<string, HostTensor>> {
  const g = buildSd15Graph(model, config, store, options);
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}

/** Deterministic pseudo-random normal values (the project's seeded generator). */
export function randn(count: number, seed: number, scale = 1): Float32Array {
  return seededNormals(count, seed, scale);
}

/** Random weights for every parameter of `module`, drawn like the goldens: norms 1+0.1N, biases 0.05N, weights N(0, 1/fan_in). */
export function randomStore(module: Module, seed: number): WeightStore {
  const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
  let s = seed;
  for (const [name, slot] of module.namedParams()) {
    s += 1;
    tensors[name] = { shape: slot.shape, data: randomParam({ name, dtype: 'F32', shape: [...slot.shape] }, s) };
  }
  return storeFromHost(tensors);
}

export async function sessionFor(model: Sd15Model, config: Record<string, unknown>, store: WeightStore, options: GraphBuildOptions = {}): Promise<GraphSession> {
  const g = buildSd15Graph(model, config, store, options);
  return createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
}

/** Elements [from, from + count) along axis 0 of a float tensor. */
export function batchSlice(t: HostTensor, from: number, count: number): HostTensor & { data: Float32Array } {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const data = (t.data as Float32Array).slice(from * per, (from + count) * per);
  return { elem: 'float32', dims: [count, ...t.dims.slice(1)], data };
}
