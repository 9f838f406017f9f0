// The values the restricted unpickler can produce: Python's plain data (None, bool, int, float, str, bytes, tuple,
// list, dict) plus three torch markers (an allowlisted global, a storage reference, a tensor view). Nothing here
// runs or reads anything.
import { MemeError } from '../../../errors.ts';
import type { StorageDtype } from '../dtype-convert.ts';

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** dict and OrderedDict; `attributes` holds what BUILD set on it (a state dict's `_metadata`). */
export class PyDict extends Map<DictKey, PyValue> {
  attributes: PyDict | null = null;
}

/** An allowlisted global, by its full dotted name. */
export interface PyGlobal {
  readonly kind: 'global';
  readonly name: string;
}

export interface StorageRef {
  readonly kind: 'storage';
  readonly dtype: StorageDtype;
  /** the storage's key: its archive entry data/<key> (zip) or its place in the trailing data (legacy) */
  readonly key: string;
  readonly numel: number;
}

export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  /** in elements, as torch's storage_offset */
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

export type DictKey = string | number | bigint | boolean | null;
export type PyValue = DictKey | Uint8Array | PyTuple | PyValue[] | PyDict | PyGlobal | StorageRef | TensorRef;

export function isMarker<K extends 'global' | 'storage' | 'tensor'>(value: PyValue | undefined, kind: K): value is Extract<PyValue, { kind: K }> {
  return value !== null && typeof value === 'object' && 'kind' in value && value.kind === kind;
}

/** Python's name for a value's type, for messages. */
export function typeName(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (value instanceof PyTuple) return 'tuple';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') return value.kind === 'global' ? value.name : value.kind;
  const names: Record<string, string> = { string: 'str', number: 'number', bigint: 'int', boolean: 'bool' };
  return names[typeof value] ?? typeof value;
}

/** The pickle names, calls or instantiates something outside the tensor-rebuilding allowlist. */
export class UnsafePickleError extends MemeError {
  constructor(
    readonly source: string,
    readonly global: string,
    why: string,
  ) {
    super('BAD_WEIGHTS', `${source}: refused an unsafe pickle: ${why} '${global}' (a checkpoint may only rebuild tensors: torch._utils._rebuild_*, torch.*Storage, collections.OrderedDict)`, { global, source });
    this.name = 'UnsafePickleError';
  }
}
