// Opens a PyTorch checkpoint (.pth/.pt/.ckpt) as a WeightStore without running any of it: the zip format of
// torch >= 1.6 (<prefix>/data.pkl + <prefix>/data/<key> storages) or the legacy stream (magic, protocol and
// sys_info pickles, the object pickle, the storage-key list, then each storage as an int64 count + raw bytes).
// The pickle goes through the restricted unpickler; tensors are read lazily, contiguous fp32 ones in place.
import { open, readFile, stat } from 'node:fs/promises';
import { InputError, MemeError } from '../../../errors.ts';
import { BYTES_PER_ELEMENT, decodeToFloat32 } from '../dtype-convert.ts';
import { elementCount } from '../safetensors.ts';
import { type WeightEntry, type WeightFile, WeightStore } from '../weight-store.ts';
import { isMarker, PyDict, type PyValue, type StorageRef, type TensorRef } from './pickle-values.ts';
import { unpickle } from './torch-pickle.ts';
import { entryDataOffset, readEntry, readZipEntries } from './zip-entries.ts';

/** basicsr / Real-ESRGAN keep the EMA weights under params_ema (preferred, as RealESRGANer does), else params. */
const STATE_DICT_KEYS: readonly string[] = ['params_ema', 'params', 'state_dict'];

/** Where a storage's bytes are: read(byteOffset, length), and the file offset when they lie there uncompressed. */
interface StorageSource {
  read(byteOffset: number, length: number): Promise<Uint8Array>;
  readonly fileOffset: number | null;
}

interface PthContents {
  /** the unpickled object, tensors as TensorRef */
  readonly value: PyValue;
  storage(ref: StorageRef): StorageSource;
  readonly file: WeightFile;
}

const MAX_PICKLE_BYTES = 256 << 20;
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function bad(path: string, why: string): MemeError {
  return new MemeError('BAD_WEIGHTS', `${path}: ${why}`, { path });
}

async function openZip(path: string, fileBytes: number): Promise<PthContents> {
  const handle = await open(path, 'r');
  try {
    const entries = await readZipEntries(handle, fileBytes, path);
    const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pickles.length !== 1) throw bad(path, `a zip without exactly one <archive>/data.pkl (found ${pickles.length}): not a torch checkpoint`);
    const prefix = pickles[0].slice(0, -'data.pkl'.length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder && new TextDecoder().decode(await readEntry(handle, byteorder, path)).trim() !== 'little') throw bad(path, 'big-endian storages are not supported');
    const pkl = entries.get(pickles[0]);
    if (!pkl || pkl.size > MAX_PICKLE_BYTES) throw bad(path, `data.pkl is larger than ${MAX_PICKLE_BYTES} bytes`);
    const { value } = unpickle(await readEntry(handle, pkl, path), path);
    const offsets = new Map<string, number>();
    for (const entry of entries.values()) if (entry.method === 0 && entry.name.startsWith(`${prefix}data/`)) offsets.set(entry.name, await entryDataOffset(handle, entry, path));
    return {
      value,
      file: handle,
      storage(ref) {
        const entry = entries.get(`${prefix}data/${ref.key}`);
        const bytes = ref.numel * BYTES_PER_ELEMENT[ref.dtype];
        if (!entry) throw bad(path, `storage '${ref.key}' is missing from the archive`);
        if (entry.size !== bytes) throw bad(path, `storage '${ref.key}' holds ${entry.size} bytes, ${ref.numel} × ${ref.dtype} need ${bytes}`);
        return { read: (at, length) => readEntry(handle, entry, path, at, length), fileOffset: offsets.get(entry.name) ?? null };
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function openLegacy(path: string): Promise<PthContents> {
  const bytes = await readFile(path);
  const magic = unpickle(bytes, path);
  if (magic.value !== LEGACY_MAGIC && magic.value !== Number(LEGACY_MAGIC)) throw bad(path, 'neither a zip archive nor a legacy torch file (no magic number)');
  const protocol = unpickle(bytes, path, magic.end);
  if (protocol.value !== 1001) throw bad(path, `legacy torch protocol ${String(protocol.value)}, expected 1001`);
  const sysInfo = unpickle(bytes, path, protocol.end);
  if (!(sysInfo.value instanceof PyDict) || sysInfo.value.get('little_endian') !== true) throw bad(path, 'big-endian storages are not supported');
  const main = unpickle(bytes, path, sysInfo.end);
  const keys = unpickle(bytes, path, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw bad(path, 'the storage key list is not a list of strings');
  const refs = new Map(main.storages.map((s) => [s.key, s]));
  const places = new Map<string, number>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const ref = refs.get(key);
    if (!ref) throw bad(path, `storage '${key}' is listed but never used`);
    if (at + 8 > bytes.length || bytes.readBigInt64LE(at) !== BigInt(ref.numel)) throw bad(path, `storage '${key}' does not start with its element count ${ref.numel}`);
    places.set(key, at + 8);
    at += 8 + ref.numel * BYTES_PER_ELEMENT[ref.dtype];
    if (at > bytes.length) throw bad(path, `storage '${key}' runs past the end of the file (truncated?)`);
  }
  return {
    value: main.value,
    file: { close: async () => {} },
    storage(ref) {
      const start = places.get(ref.key);
      if (start === undefined) throw bad(path, `storage '${ref.key}' is not in the file's data`);
      return { read: async (offset, length) => bytes.subarray(start + offset, start + offset + length), fileOffset: start };
    },
  };
}

/** Reads a checkpoint's structure; tensors stay unread. Close `file` when done. */
export async function readPth(path: string): Promise<PthContents> {
  const fileBytes = await stat(path).then(
    (s) => s.size,
    (error: Error) => {
      throw new InputError('FILE_NOT_FOUND', `cannot open ${path}: ${error.message}`, { path });
    },
  );
  const head = await open(path, 'r').then(async (h) => {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await h.read(buf, 0, 4, 0).finally(() => h.close());
    return buf.subarray(0, bytesRead);
  });
  if (head.length === 4 && head.readUInt32LE(0) === 0x04034b50) return openZip(path, fileBytes);
  // A legacy file starts with the magic number's pickle (PROTO 2); anything else is not a torch checkpoint.
  if (head[0] !== 0x80) throw bad(path, 'neither a zip archive nor a legacy torch file');
  return openLegacy(path);
}

function isContiguous(t: TensorRef): boolean {
  let expected = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    if (t.shape[i] !== 1 && t.stride[i] !== expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

function tensorEntry(path: string, t: TensorRef, contents: PthContents): WeightEntry {
  const source = contents.storage(t.storage);
  const elem = BYTES_PER_ELEMENT[t.storage.dtype];
  const numel = elementCount(t.shape);
  const contiguous = isContiguous(t);
  const read = async (): Promise<Float32Array> => {
    if (contiguous) return decodeToFloat32(await source.read(t.offset * elem, numel * elem), t.storage.dtype);
    // A strided view (a transposed weight): decode its span of the storage, then gather in row-major order.
    const span = numel === 0 ? 0 : t.shape.reduce((sum, d, i) => sum + (d - 1) * t.stride[i], 1);
    const values = decodeToFloat32(await source.read(t.offset * elem, span * elem), t.storage.dtype);
    const out = new Float32Array(numel);
    const index = new Array<number>(t.shape.length).fill(0);
    for (let i = 0; i < numel; i++) {
      out[i] = values[index.reduce((sum, v, d) => sum + v * t.stride[d], 0)];
      for (let d = t.shape.length - 1; d >= 0 && ++index[d] === t.shape[d]; d--) index[d] = 0;
    }
    return out;
  };
  const inPlace = contiguous && t.storage.dtype === 'F32' && source.fileOffset !== null;
  return { shape: t.shape, dtype: t.storage.dtype, read, location: inPlace ? { path, offset: (source.fileOffset as number) + t.offset * elem, byteLength: numel * elem } : undefined };
}

/** The state dict inside a checkpoint: the first of `keys` present at the top, or the top dict itself. */
function stateDictOf(path: string, value: PyValue, keys: readonly string[]): PyDict {
  if (!(value instanceof PyDict)) throw bad(path, 'the checkpoint is not a dict of tensors');
  const key = keys.find((k) => value.get(k) instanceof PyDict);
  const dict = key ? (value.get(key) as PyDict) : value;
  const notTensors = [...dict].filter(([, v]) => !isMarker(v, 'tensor')).map(([k]) => String(k));
  if (notTensors.length) {
    const where = key ? `'${key}'` : `the top level (no ${keys.join(' / ')} key)`;
    throw bad(path, `${where} holds non-tensor entries: ${notTensors.slice(0, 8).join(', ')}${notTensors.length > 8 ? ', …' : ''}`);
  }
  return dict;
}

/** Opens a .pth checkpoint's state dict (by default params_ema, else params, else state_dict, else the top dict). */
export async function openPthStore(path: string, keys: readonly string[] = STATE_DICT_KEYS): Promise<WeightStore> {
  const contents = await readPth(path);
  try {
    const entries = new Map<string, WeightEntry>();
    for (const [name, t] of stateDictOf(path, contents.value, keys)) entries.set(String(name), tensorEntry(path, t as TensorRef, contents));
    return new WeightStore(entries, [contents.file]);
  } catch (error) {
    await contents.file.close();
    throw error;
  }
}
