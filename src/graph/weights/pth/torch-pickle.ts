// A restricted unpickler for PyTorch checkpoints: a small pickle VM (protocols 2–5, the opcodes torch.save emits)
// with no generic call at all. Globals go through torch-globals.ts's allowlist the moment the pickle names them,
// REDUCE dispatches only to its typed rebuild functions, and instantiation opcodes are refused, so nothing in a
// downloaded .pth can run or even be looked up. Storages stay references; pth-checkpoint.ts reads their bytes.
//
// Why not an npm pickle parser: pickleparser 0.2.1 (no deps, no install scripts, one release day in Dec 2024) calls
// whatever sits on the stack on REDUCE, Object.assign()s BUILD state and builds dicts as plain objects (a
// `__proto__` key reaches the prototype); making it strict would mean replacing its core.
import { MemeError } from '../../../errors.ts';
import { type DictKey, PyDict, PyTuple, type PyValue, type StorageRef, typeName } from './pickle-values.ts';
import { type BadPickle, callGlobal, persistentStorage, resolveGlobal, unsafe } from './torch-globals.ts';

interface Unpickled {
  readonly value: PyValue;
  /** byte just past STOP (the legacy format has more pickles and data after it) */
  readonly end: number;
  /** every storage the pickle references, in order of appearance */
  readonly storages: readonly StorageRef[];
}

/** Bounds-checked little-endian reads over the pickle bytes. */
class ByteReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    private readonly bad: BadPickle,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): number {
    if (n < 0 || this.pos + n > this.bytes.length) throw this.bad(`needs ${n} more bytes, the data ends at ${this.bytes.length}`);
    this.pos += n;
    return this.pos - n;
  }
  u8 = () => this.bytes[this.take(1)];
  u16 = () => this.view.getUint16(this.take(2), true);
  u32 = () => this.view.getUint32(this.take(4), true);
  i32 = () => this.view.getInt32(this.take(4), true);
  f64be = () => this.view.getFloat64(this.take(8), false);
  u64(): number {
    const n = this.view.getBigUint64(this.take(8), true);
    if (n > BigInt(this.bytes.length)) throw this.bad(`a length of ${n} bytes exceeds the data`);
    return Number(n);
  }
  raw = (n: number) => this.bytes.subarray(this.take(n), this.pos);
  utf8 = (n: number) => new TextDecoder('utf-8', { fatal: true }).decode(this.raw(n));
  latin1 = (n: number) => new TextDecoder('latin1').decode(this.raw(n));
  /** protocol-0 style text line (GLOBAL, INST): up to the newline */
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.bad('unterminated text line');
    return this.latin1(end - this.pos + 1).slice(0, -1);
  }
  /** LONG1 / LONG4: little-endian two's complement; a number when it fits exactly */
  signed(n: number): number | bigint {
    if (n > 4096) throw this.bad(`a ${n}-byte integer`);
    const at = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]);
    if (n && this.bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }
}

/** Runs the pickle in `bytes` from `start` to its STOP. `source` names the file in errors. */
export function unpickle(bytes: Uint8Array, source: string, start = 0): Unpickled {
  let opAt = start;
  const bad: BadPickle = (why) => new MemeError('BAD_WEIGHTS', `${source}: bad pickle (opcode at byte ${opAt}): ${why}`, { source });
  const r = new ByteReader(bytes, start, bad);
  let stack: PyValue[] = [];
  const marks: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  const storages: StorageRef[] = [];

  const pop = (): PyValue => {
    if (!stack.length) throw bad('stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (!stack.length) throw bad('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const outer = marks.pop();
    if (!outer) throw bad('no MARK to pop to');
    stack = outer;
    return items;
  };
  const setItems = (dict: PyValue, items: readonly PyValue[]) => {
    if (!(dict instanceof PyDict)) throw bad(`SETITEM on a ${typeName(dict)}`);
    if (items.length % 2) throw bad('an odd number of SETITEMS values');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (key !== null && typeof key === 'object') throw bad(`a dict key of type ${typeName(key)}`);
      dict.set(key as DictKey, items[i + 1]);
    }
  };
  const append = (items: readonly PyValue[]) => {
    const list = top();
    if (!Array.isArray(list)) throw bad(`APPEND to a ${typeName(list)}`);
    for (const item of items) list.push(item);
  };

  while (true) {
    opAt = r.pos;
    const op = r.u8();
    switch (op) {
      case 0x80: // PROTO
        if (r.u8() > 5) throw bad('pickle protocol above 5');
        break;
      case 0x95: // FRAME
        r.take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw bad(`STOP with ${stack.length} values and ${marks.length} open marks`);
        return { value: stack[0], end: r.pos, storages };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(r.i32());
        break;
      case 0x4b: // BININT1
        stack.push(r.u8());
        break;
      case 0x4d: // BININT2
        stack.push(r.u16());
        break;
      case 0x8a: // LONG1
        stack.push(r.signed(r.u8()));
        break;
      case 0x8b: // LONG4
        stack.push(r.signed(r.u32()));
        break;
      case 0x47: // BINFLOAT
        stack.push(r.f64be());
        break;
      case 0x58: // BINUNICODE
        stack.push(r.utf8(r.u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(r.utf8(r.u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(r.utf8(r.u64()));
        break;
      case 0x54: // BINSTRING (a Python 2 str)
        stack.push(r.latin1(r.u32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(r.latin1(r.u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(r.raw(r.u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(r.raw(r.u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(r.raw(r.u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: {
        // TUPLE (popMark swaps `stack`, so it runs before the push is resolved)
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) throw bad('stack underflow');
        stack.push(new PyTuple(stack.splice(stack.length - n, n)));
        break;
      }
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET (kept as a list)
        stack.push([]);
        break;
      case 0x6c: // LIST
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: // APPEND
        append([pop()]);
        break;
      case 0x65: // APPENDS
      case 0x90: // ADDITEMS
        append(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: {
        // DICT
        const dict = new PyDict();
        setItems(dict, popMark());
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(r.u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(r.u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? r.u8() : r.u32();
        if (!memo.has(index)) throw bad(`memo ${index} was never stored`);
        stack.push(memo.get(index) as PyValue);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = r.line();
        stack.push(resolveGlobal(source, module, r.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw bad('STACK_GLOBAL without two strings');
        stack.push(resolveGlobal(source, module, name));
        break;
      }
      case 0x69: {
        // INST names a class and instantiates it
        const module = r.line();
        throw unsafe(source, `${module}.${r.line()}`, 'the pickle instantiates');
      }
      case 0x6f: // OBJ
      case 0x81: // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        const cls = op === 0x6f ? popMark()[0] : stack[stack.length - (op === 0x81 ? 2 : 3)];
        throw unsafe(source, typeName(cls), 'the pickle instantiates');
      }
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4 (copyreg's extension registry names globals by number)
        throw unsafe(source, `extension code ${op === 0x82 ? r.u8() : op === 0x83 ? r.u16() : r.u32()}`, 'the pickle names the global registered as');
      case 0x51: {
        // BINPERSID
        const storage = persistentStorage(pop(), bad);
        storages.push(storage);
        stack.push(storage);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(callGlobal(pop(), args, source, bad));
        break;
      }
      case 0x62: {
        // BUILD: only a state dict's attributes (an OrderedDict given {'_metadata': ...})
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict) || !(state instanceof PyDict)) throw bad(`BUILD of a ${typeName(target)} from a ${typeName(state)}`);
        target.attributes = state;
        break;
      }
      default:
        throw bad(`unsupported opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
