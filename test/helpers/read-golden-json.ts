// Reads a golden manifest.json written by Python's json module, which emits bare NaN / Infinity / -Infinity.
import { readFileSync } from 'node:fs';

export function readGoldenJson<T = unknown>(file: string): T {
  const text = readFileSync(file, 'utf8').replace(/(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '"$1"');
  return JSON.parse(text) as T;
}
