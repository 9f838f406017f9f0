// Writes safetensors files. The streaming form takes the tensor list up front and asks for each tensor's data
// in turn, so a writer never holds more than one tensor (the full-size bench weights are 3.4 GB).
import { open } from 'node:fs/promises';
import { BYTES_PER_ELEMENT, type StorageDtype, encodeFromArray } from './dtype-convert.ts';
import { elementCount } from './safetensors.ts';

type HostArray = Float32Array | BigInt64Array | Uint16Array | Int32Array;

export interface TensorSpec {
  readonly name: string;
  readonly dtype: StorageDtype;
  readonly shape: readonly number[];
}

export interface HostTensorEntry extends TensorSpec {
  readonly data: HostArray;
}

function buildHeader(specs: readonly TensorSpec[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const spec of specs) {
    const bytes = elementCount(spec.shape) * BYTES_PER_ELEMENT[spec.dtype];
    header[spec.name] = { dtype: spec.dtype, shape: spec.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the format recommends.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const jsonBuf = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + jsonBuf.length);
  out.writeBigUInt64LE(BigInt(jsonBuf.length), 0);
  jsonBuf.copy(out, 8);
  return out;
}

/**
 * Streams tensors to `path`: `produce(spec, index)` is called once per tensor, in order, and its result is written
 * and dropped before the next call. Returns the absolute data offset of each tensor.
 */
export async function writeSafetensorsStreaming(
  path: string,
  specs: readonly TensorSpec[],
  produce: (spec: TensorSpec, index: number) => HostArray | Promise<HostArray>,
  metadata?: Record<string, string>,
): Promise<void> {
  const header = buildHeader(specs, metadata);
  const handle = await open(path, 'w');
  try {
    await handle.write(header, 0, header.length, 0);
    let position = header.length;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const data = await produce(spec, i);
      if (data.length !== elementCount(spec.shape)) throw new RangeError(`tensor '${spec.name}': ${data.length} values for shape ${JSON.stringify(spec.shape)}`);
      const bytes = encodeFromArray(data, spec.dtype);
      await handle.write(bytes, 0, bytes.length, position);
      position += bytes.length;
    }
  } finally {
    await handle.close();
  }
}

/** Writes tensors held in memory. Float data is converted to each entry's dtype. */
export async function writeSafetensors(path: string, tensors: readonly HostTensorEntry[], metadata?: Record<string, string>): Promise<void> {
  await writeSafetensorsStreaming(path, tensors, (_spec, index) => tensors[index].data, metadata);
}
