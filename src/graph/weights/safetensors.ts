// Streaming safetensors reader: parses and checks the header, then reads one tensor at a time through a file
// handle so a multi-GB checkpoint never sits in memory whole. Writing lives in safetensors-writer.ts.
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InputError, MemeError } from '../../errors.ts';
import { BYTES_PER_ELEMENT, type StorageDtype, decodeToBigInt64, decodeToFloat32, isStorageDtype } from './dtype-convert.ts';

/** One tensor's place in the file; `offset` is absolute (from the start of the file). */
interface TensorInfo {
  readonly name: string;
  readonly dtype: StorageDtype;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly byteLength: number;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function bad(path: string, message: string): MemeError {
  return new MemeError('BAD_WEIGHTS', `${path}: ${message}`, { path });
}

/** Parses and validates a header JSON against the data section's size. */
function parseHeader(path: string, json: string, headerEnd: number, fileBytes: number): { tensors: Map<string, TensorInfo>; metadata: Record<string, string> } {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw bad(path, 'the safetensors header is not valid JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw bad(path, 'the safetensors header is not an object');
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors = new Map<string, TensorInfo>();
  const dataBytes = fileBytes - headerEnd;
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry?.dtype !== 'string' || !isStorageDtype(entry.dtype)) throw bad(path, `tensor '${name}' has unknown dtype ${JSON.stringify(entry?.dtype)}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(path, `tensor '${name}' has a bad shape`);
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      throw bad(path, `tensor '${name}' has bad data_offsets`);
    }
    const byteLength = offsets[1] - offsets[0];
    const expected = elementCount(shape) * BYTES_PER_ELEMENT[entry.dtype];
    if (byteLength !== expected) {
      throw bad(path, `tensor '${name}' claims ${byteLength} bytes but ${entry.dtype}${JSON.stringify(shape)} needs ${expected} (the header lies about sizes)`);
    }
    if (offsets[1] > dataBytes) {
      throw bad(path, `tensor '${name}' ends at data byte ${offsets[1]} but the file has only ${dataBytes} data bytes (truncated file?)`);
    }
    tensors.set(name, { name, dtype: entry.dtype, shape, offset: headerEnd + offsets[0], byteLength });
  }
  checkNoOverlap(path, [...tensors.values()]);
  return { tensors, metadata };
}

function checkNoOverlap(path: string, infos: TensorInfo[]): void {
  const sorted = [...infos].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].offset < prev.offset + prev.byteLength) throw bad(path, `tensors '${prev.name}' and '${sorted[i].name}' overlap`);
  }
}

/** An open safetensors file. Call close() when done (or use SafetensorsFile.with). */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new InputError('FILE_NOT_FOUND', `cannot open ${path}: ${(error as Error).message}`, { path });
    }
    try {
      const fileBytes = (await stat(path)).size;
      if (fileBytes < 8) throw bad(path, `only ${fileBytes} bytes: too short for a safetensors file`);
      const lengthBuf = Buffer.alloc(8);
      await handle.read(lengthBuf, 0, 8, 0);
      const headerBytes = Number(lengthBuf.readBigUInt64LE(0));
      if (headerBytes > MAX_HEADER_BYTES || headerBytes > fileBytes - 8) {
        throw bad(path, `header length ${headerBytes} does not fit in a ${fileBytes}-byte file (truncated or not safetensors)`);
      }
      const headerBuf = Buffer.alloc(headerBytes);
      await handle.read(headerBuf, 0, headerBytes, 8);
      const { tensors, metadata } = parseHeader(path, headerBuf.toString('utf8'), 8 + headerBytes, fileBytes);
      return new SafetensorsFile(path, handle, tensors, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Opens, runs fn, and closes even when fn throws. */
  static async with<T>(path: string, fn: (file: SafetensorsFile) => Promise<T>): Promise<T> {
    const file = await SafetensorsFile.open(path);
    try {
      return await fn(file);
    } finally {
      await file.close();
    }
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw bad(this.path, `no tensor named '${name}'`);
    return info;
  }

  /** The tensor's raw little-endian bytes, read now (not cached). */
  async readRaw(name: string): Promise<Uint8Array> {
    const info = this.info(name);
    const buf = Buffer.alloc(info.byteLength);
    let done = 0;
    while (done < info.byteLength) {
      const { bytesRead } = await this.handle.read(buf, done, Math.min(info.byteLength - done, 1 << 30), info.offset + done);
      if (bytesRead === 0) throw bad(this.path, `unexpected end of file while reading '${name}'`);
      done += bytesRead;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async readFloat32(name: string): Promise<Float32Array> {
    const info = this.info(name);
    return decodeToFloat32(await this.readRaw(name), info.dtype);
  }

  async readInt64(name: string): Promise<BigInt64Array> {
    const info = this.info(name);
    try {
      return decodeToBigInt64(await this.readRaw(name), info.dtype);
    } catch (error) {
      throw bad(this.path, `tensor '${name}': ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
