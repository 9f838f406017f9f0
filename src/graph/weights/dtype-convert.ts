// Element-type conversions between safetensors storage dtypes and the float32/float16 arrays the graph uses.
// Pure functions over typed arrays; no file access here.

/** The safetensors dtype names this project reads and writes. */
export type StorageDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const BYTES_PER_ELEMENT: Record<StorageDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export function isStorageDtype(value: string): value is StorageDtype {
  return Object.hasOwn(BYTES_PER_ELEMENT, value);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half bits → float32 value (exact). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float32 value → IEEE half bits, round to nearest even; overflow goes to ±inf as torch's .half() does. */
export function floatToHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let rounded = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && rounded & 1)) rounded += 1;
    return sign | rounded;
  }
  let rounded = mantissa >> 13;
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && rounded & 1)) {
    rounded += 1;
    if (rounded === 0x400) {
      rounded = 0;
      e += 1;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | rounded;
}

export function float32ToHalfArray(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]);
  return out;
}

export function halfArrayToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]);
  return out;
}

/** Decodes little-endian raw bytes of any storage dtype to float32 (integers convert by value). */
export function decodeToFloat32(raw: Uint8Array, dtype: StorageDtype): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = raw.byteLength / BYTES_PER_ELEMENT[dtype];
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case 'BF16':
      for (let i = 0; i < count; i++) {
        u32Scratch[0] = view.getUint16(i * 2, true) << 16;
        out[i] = f32Scratch[0];
      }
      break;
    case 'I64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'I16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
  }
  return out;
}

/** Decodes raw bytes to int64 values; float dtypes must hold whole numbers. */
export function decodeToBigInt64(raw: Uint8Array, dtype: StorageDtype): BigInt64Array {
  if (dtype === 'I64') {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new BigInt64Array(raw.byteLength / 8);
    for (let i = 0; i < out.length; i++) out[i] = view.getBigInt64(i * 8, true);
    return out;
  }
  const floats = decodeToFloat32(raw, dtype);
  const out = new BigInt64Array(floats.length);
  for (let i = 0; i < floats.length; i++) {
    if (!Number.isInteger(floats[i])) throw new RangeError(`value ${floats[i]} at ${i} is not an integer`);
    out[i] = BigInt(floats[i]);
  }
  return out;
}

/** Little-endian bytes of a float32/int64/uint16-half array in the given storage dtype. */
export function encodeFromArray(data: Float32Array | BigInt64Array | Uint16Array | Int32Array, dtype: StorageDtype): Uint8Array {
  if (dtype === 'F16' && data instanceof Uint16Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const count = data.length;
  const out = new Uint8Array(count * BYTES_PER_ELEMENT[dtype]);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    const v = data[i];
    const n = typeof v === 'bigint' ? Number(v) : v;
    switch (dtype) {
      case 'F32':
        view.setFloat32(i * 4, n, true);
        break;
      case 'F64':
        view.setFloat64(i * 8, n, true);
        break;
      case 'F16':
        view.setUint16(i * 2, floatToHalf(n), true);
        break;
      case 'BF16': {
        f32Scratch[0] = n;
        const bits = u32Scratch[0];
        // round to nearest even on the dropped 16 bits; NaN keeps a quiet payload
        const rounded = Number.isNaN(n) ? 0x7fc0 : ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
        view.setUint16(i * 2, rounded, true);
        break;
      }
      case 'I64':
        view.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(Math.trunc(n)), true);
        break;
      case 'I32':
        view.setInt32(i * 4, n, true);
        break;
      case 'I16':
        view.setInt16(i * 2, n, true);
        break;
      case 'I8':
        view.setInt8(i, n);
        break;
      case 'U8':
      case 'BOOL':
        view.setUint8(i, n);
        break;
    }
  }
  return out;
}
