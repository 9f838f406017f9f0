// The allowlist of the restricted unpickler and what each allowed global does: torch's tensor-rebuilding functions
// and OrderedDict are the only callables, torch.<T>Storage names are only valid inside a storage's persistent id.
// Every argument is checked; a view that reaches past its storage is refused here, before any byte is read.
import type { MemeError } from '../../../errors.ts';
import type { StorageDtype } from '../dtype-convert.ts';
import { type DictKey, isMarker, PyDict, type PyGlobal, PyTuple, type PyValue, type StorageRef, type TensorRef, typeName, UnsafePickleError } from './pickle-values.ts';

/** torch.<T>Storage → element type. */
const STORAGE_TYPES: Readonly<Record<string, StorageDtype>> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  'torch.DoubleStorage': 'F64',
  'torch.LongStorage': 'I64',
  'torch.IntStorage': 'I32',
  'torch.ShortStorage': 'I16',
  'torch.CharStorage': 'I8',
  'torch.ByteStorage': 'U8',
  'torch.BoolStorage': 'BOOL',
};
const REBUILD_TENSOR = ['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor'];
const REBUILD_PARAMETER = ['torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state'];
const ORDERED_DICT = 'collections.OrderedDict';
const CALLABLES = new Set([...REBUILD_TENSOR, ...REBUILD_PARAMETER, ORDERED_DICT]);

export type BadPickle = (why: string) => MemeError;

export function unsafe(source: string, global: string, why: string): UnsafePickleError {
  return new UnsafePickleError(source, global, why);
}

/** GLOBAL / STACK_GLOBAL: the global itself, or UnsafePickleError naming it. */
export function resolveGlobal(source: string, module: string, name: string): PyGlobal {
  const full = `${module}.${name}`;
  if (!CALLABLES.has(full) && !Object.hasOwn(STORAGE_TYPES, full)) throw unsafe(source, full, 'the pickle names the global');
  return { kind: 'global', name: full };
}

const isIndex = (v: PyValue | undefined): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** BINPERSID: torch's ('storage', torch.<T>Storage, key, location, numel[, None]) → a storage reference. */
export function persistentStorage(pid: PyValue, bad: BadPickle): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : [];
  const [tag, type, key, location, numel, view] = items;
  const dtype = isMarker(type, 'global') ? STORAGE_TYPES[type.name] : undefined;
  const ok = tag === 'storage' && dtype && typeof key === 'string' && typeof location === 'string' && isIndex(numel) && (items.length === 5 || (items.length === 6 && view === null));
  if (!ok) throw bad(`persistent id (${items.map(typeName).join(', ')}) is not ('storage', torch.<T>Storage, key, location, numel)`);
  return { kind: 'storage', dtype: dtype as StorageDtype, key: key as string, numel: numel as number };
}

function indices(value: PyValue | undefined, what: string, bad: BadPickle): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (!items?.every(isIndex)) throw bad(`${what} is not a tuple of non-negative integers`);
  return items as number[];
}

function rebuildTensor(name: string, args: readonly PyValue[], bad: BadPickle): TensorRef {
  const [storage, offset] = args;
  if (!isMarker(storage, 'storage')) throw bad(`${name} of a ${typeName(storage)} instead of a storage`);
  if (!isIndex(offset)) throw bad(`${name}: the storage offset is a ${typeName(offset)}`);
  const shape = indices(args[2], `${name}: size`, bad);
  const stride = indices(args[3], `${name}: stride`, bad);
  if (shape.length !== stride.length) throw bad(`${name}: size and stride differ in rank`);
  const span = shape.includes(0) ? 0 : shape.reduce((sum, d, i) => sum + (d - 1) * stride[i], 1);
  if (offset + span > storage.numel) throw bad(`${name}: a [${shape}] view at offset ${offset} reaches past its ${storage.numel}-element storage`);
  return { kind: 'tensor', storage, offset, shape, stride };
}

function orderedDict(args: readonly PyValue[], bad: BadPickle): PyDict {
  const dict = new PyDict();
  const pairs = args[0] ?? [];
  if (args.length > 1 || !Array.isArray(pairs)) throw bad('OrderedDict called with unexpected arguments');
  for (const pair of pairs) {
    const kv = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : [];
    const key = kv[0];
    if (kv.length !== 2 || (key !== null && typeof key === 'object')) throw bad('an OrderedDict item is not a (key, value) pair with a plain key');
    dict.set(key as DictKey, kv[1]);
  }
  return dict;
}

/** REDUCE: only the allowlisted callables, each with its arguments checked. */
export function callGlobal(fn: PyValue, args: PyValue, source: string, bad: BadPickle): PyValue {
  const name = isMarker(fn, 'global') ? fn.name : `a ${typeName(fn)}`;
  if (!CALLABLES.has(name)) throw unsafe(source, name, 'the pickle calls');
  if (!(args instanceof PyTuple)) throw bad(`${name} called with a ${typeName(args)} instead of an argument tuple`);
  if (name === ORDERED_DICT) return orderedDict(args.items, bad);
  if (REBUILD_TENSOR.includes(name)) return rebuildTensor(name, args.items, bad);
  const data = args.items[0];
  if (!isMarker(data, 'tensor')) throw bad(`${name} of a ${typeName(data)}`);
  return data;
}
