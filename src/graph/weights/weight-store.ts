// A name → lazily-read tensor map: the one shape of "a state dict" every loader produces and every graph build
// consumes. Entries remember where their fp32 bytes sit on disk so graphs can reference them without a copy.
import { MemeError } from '../../errors.ts';
import type { StorageDtype } from './dtype-convert.ts';
import { SafetensorsFile, elementCount } from './safetensors.ts';

/** Where an entry's raw F32 bytes are, for ONNX external data that points into the original file. */
interface DiskLocation {
  readonly path: string;
  readonly offset: number;
  readonly byteLength: number;
}

export interface WeightEntry {
  readonly shape: readonly number[];
  /** dtype as stored; read() always gives float32 */
  readonly dtype: StorageDtype;
  read(): Promise<Float32Array>;
  readonly location?: DiskLocation;
}

/** An open file a store reads from (a safetensors file, a .pth archive). */
export interface WeightFile {
  close(): Promise<void>;
}

export class WeightStore {
  readonly entries: Map<string, WeightEntry>;
  private readonly files: WeightFile[];

  constructor(entries: Map<string, WeightEntry>, files: WeightFile[] = []) {
    this.entries = entries;
    this.files = files;
  }

  get(name: string): WeightEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new MemeError('BAD_WEIGHTS', `weight '${name}' is missing`, { name });
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** A view with entries renamed by `rename` (null drops the entry); shares the open files. */
  mapNames(rename: (name: string) => string | null): WeightStore {
    const out = new Map<string, WeightEntry>();
    for (const [name, entry] of this.entries) {
      const next = rename(name);
      if (next === null) continue;
      if (out.has(next)) throw new MemeError('BAD_WEIGHTS', `two weights map to '${next}' (one of them is '${name}')`, { name: next });
      out.set(next, entry);
    }
    return new WeightStore(out, this.files);
  }

  /** This store's entries, closing `other`'s files on close() (for derived views such as renamed layouts). */
  withFilesOf(other: WeightStore): WeightStore {
    return new WeightStore(this.entries, other.files);
  }

  /** Closes every file this store (or a view sharing its files) read from. */
  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.close()));
    this.files.length = 0;
  }
}

export function hostEntry(shape: readonly number[], data: Float32Array): WeightEntry {
  if (data.length !== elementCount(shape)) throw new RangeError(`${data.length} values for shape ${JSON.stringify(shape)}`);
  return { shape, dtype: 'F32', read: async () => data };
}

/** Builds a store over in-memory float32 tensors. */
export function storeFromHost(tensors: Record<string, { shape: readonly number[]; data: Float32Array }>): WeightStore {
  const entries = new Map<string, WeightEntry>();
  for (const [name, t] of Object.entries(tensors)) entries.set(name, hostEntry(t.shape, t.data));
  return new WeightStore(entries);
}

/** Opens one or more safetensors files (a sharded checkpoint) as one store; duplicate names are an error. */
export async function openSafetensorsStore(paths: readonly string[]): Promise<WeightStore> {
  const files: SafetensorsFile[] = [];
  const entries = new Map<string, WeightEntry>();
  try {
    for (const path of paths) {
      const file = await SafetensorsFile.open(path);
      files.push(file);
      for (const info of file.tensors.values()) {
        if (entries.has(info.name)) throw new MemeError('BAD_WEIGHTS', `weight '${info.name}' appears twice (second time in ${path})`, { name: info.name });
        entries.set(info.name, {
          shape: info.shape,
          dtype: info.dtype,
          read: () => file.readFloat32(info.name),
          location: info.dtype === 'F32' ? { path, offset: info.offset, byteLength: info.byteLength } : undefined,
        });
      }
    }
  } catch (error) {
    await Promise.all(files.map((f) => f.close()));
    throw error;
  }
  return new WeightStore(entries, files);
}
