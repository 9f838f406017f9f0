// Test-only reader for the small F32 golden .safetensors files: reads the whole file and returns Float32Arrays.
// Production code reads weights through src/graph/weights/safetensors.ts; this stays tiny and dependency-free.
import { readFileSync } from 'node:fs';

export interface GoldenTensor {
  shape: number[];
  data: Float32Array;
}

export function readSafetensors(file: string): Map<string, GoldenTensor> {
  const bytes = readFileSync(file);
  const headerBytes = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerBytes).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const dataStart = 8 + headerBytes;
  const out = new Map<string, GoldenTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') throw new Error(`${file}: tensor ${name} is ${entry.dtype}, this reader only knows F32`);
    const [begin, end] = entry.data_offsets;
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    out.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
  }
  return out;
}

/** Slice `index` along dim 0 of a stacked tensor ([S, ...rest] → rest). */
export function sliceFirst(tensor: GoldenTensor, index: number): Float32Array {
  const inner = tensor.data.length / tensor.shape[0];
  return tensor.data.subarray(index * inner, (index + 1) * inner);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
