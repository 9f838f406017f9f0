// Lists a zip archive's entries from its central directory (zip64 too) and says where each entry's bytes start,
// so a torch checkpoint's storages can be read, or mapped by ONNX external data, in place. Reading only; torch
// writes its archives uncompressed, deflated entries are inflated on read.
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { MemeError } from '../../../errors.ts';

const inflate = promisify(inflateRaw);

interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_CENTRAL_BYTES = 64 << 20;

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`zip field ${v} is too large`);
  return Number(v);
}

/** The central directory's entries, by name. */
export async function readZipEntries(handle: FileHandle, fileBytes: number, source: string): Promise<Map<string, ZipEntry>> {
  const bad = (why: string) => new MemeError('BAD_WEIGHTS', `${source}: not a readable zip archive: ${why}`, { path: source });
  const tailStart = Math.max(0, fileBytes - (22 + 0xffff));
  const tail = await readAt(handle, tailStart, fileBytes - tailStart);
  let at = tail.length - 22;
  while (at >= 0 && tail.readUInt32LE(at) !== EOCD) at--;
  if (at < 0) throw bad('no end-of-central-directory record');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
    const record = await readAt(handle, u64(tail, at - 20 + 8), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw bad('a zip64 locator without its record');
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (size > MAX_CENTRAL_BYTES || offset + size > fileBytes) throw bad(`a ${size}-byte central directory at ${offset} in a ${fileBytes}-byte file`);
  const central = await readAt(handle, offset, size);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > central.length || central.readUInt32LE(p) !== CENTRAL) throw bad(`central directory entry ${i} is damaged`);
    const nameLength = central.readUInt16LE(p + 28);
    const extraLength = central.readUInt16LE(p + 30);
    const name = central.toString('utf8', p + 46, p + 46 + nameLength);
    let compressedSize = central.readUInt32LE(p + 20);
    let entrySize = central.readUInt32LE(p + 24);
    let localHeaderOffset = central.readUInt32LE(p + 42);
    // zip64 extra field (id 1): 64-bit values for exactly the fields that read 0xFFFFFFFF, in this order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = central.readUInt16LE(e);
      const length = central.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (entrySize === 0xffffffff) {
          entrySize = u64(central, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(central, q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(central, q);
      }
      e += 4 + length;
    }
    entries.set(name, { name, method: central.readUInt16LE(p + 10), compressedSize, size: entrySize, localHeaderOffset });
    p += 46 + nameLength + extraLength + central.readUInt16LE(p + 32);
  }
  return entries;
}

/** Absolute offset of an entry's first data byte (after its local header, whose extra field torch uses for alignment). */
export async function entryDataOffset(handle: FileHandle, entry: ZipEntry, source: string): Promise<number> {
  const header = await readAt(handle, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw new MemeError('BAD_WEIGHTS', `${source}: zip entry '${entry.name}' has no local header`, { path: source });
  return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** An entry's bytes, `length` of them from `start` (stored entries are read in place; deflated ones inflated whole). */
export async function readEntry(handle: FileHandle, entry: ZipEntry, source: string, start = 0, length = entry.size - start): Promise<Uint8Array> {
  const bad = (why: string) => new MemeError('BAD_WEIGHTS', `${source}: zip entry '${entry.name}' ${why}`, { path: source });
  if (start < 0 || start + length > entry.size) throw bad(`has ${entry.size} bytes, ${start + length} were needed`);
  const dataAt = await entryDataOffset(handle, entry, source);
  if (entry.method === 0) {
    const bytes = await readAt(handle, dataAt + start, length);
    if (bytes.length !== length) throw bad('is cut short (truncated file?)');
    return bytes;
  }
  if (entry.method !== 8) throw bad(`uses compression method ${entry.method} (only stored and deflate are read)`);
  const whole = await inflate(await readAt(handle, dataAt, entry.compressedSize), { maxOutputLength: entry.size });
  if (whole.length !== entry.size) throw bad(`inflates to ${whole.length} bytes, the directory says ${entry.size}`);
  return whole.subarray(start, start + length);
}
