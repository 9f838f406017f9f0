// The streaming safetensors reader and writer: every dtype, lying headers, truncated files, clear errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floatToHalf, halfToFloat } from '../../src/graph/weights/dtype-convert.ts';
import { SafetensorsFile } from '../../src/graph/weights/safetensors.ts';
import { writeSafetensors } from '../../src/graph/weights/safetensors-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file written by hand (not by our writer), so reader and writer are not only checked against each other. */
function handMade(path: string, header: Record<string, unknown>, data: Buffer): void {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
}

describe('safetensors reader', () => {
  it('decodes F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL', async () => {
    const parts: Buffer[] = [];
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    let offset = 0;
    const add = (name: string, dtype: string, shape: number[], bytes: Buffer) => {
      header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
      offset += bytes.length;
      parts.push(bytes);
    };
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(1.5, 0);
    f32.writeFloatLE(-2.25, 4);
    add('f32', 'F32', [2], f32);
    const f64 = Buffer.alloc(8);
    f64.writeDoubleLE(0.125, 0);
    add('f64', 'F64', [1], f64);
    const f16 = Buffer.alloc(6);
    f16.writeUInt16LE(0x3c00, 0); // 1
    f16.writeUInt16LE(0xc000, 2); // -2
    f16.writeUInt16LE(0x0001, 4); // smallest subnormal 2^-24
    add('f16', 'F16', [3], f16);
    const bf16 = Buffer.alloc(4);
    bf16.writeUInt16LE(0x3fc0, 0); // 1.5
    bf16.writeUInt16LE(0xc080, 2); // -4
    add('bf16', 'BF16', [2], bf16);
    const i64 = Buffer.alloc(16);
    i64.writeBigInt64LE(49407n, 0);
    i64.writeBigInt64LE(-3n, 8);
    add('i64', 'I64', [1, 2], i64);
    const i32 = Buffer.alloc(4);
    i32.writeInt32LE(-7, 0);
    add('i32', 'I32', [1], i32);
    const i16 = Buffer.alloc(2);
    i16.writeInt16LE(-300, 0);
    add('i16', 'I16', [1], i16);
    add('i8', 'I8', [2], Buffer.from([0xff, 0x05]));
    add('u8', 'U8', [1], Buffer.from([200]));
    add('bool', 'BOOL', [2], Buffer.from([1, 0]));
    add('empty', 'F32', [0, 4], Buffer.alloc(0));
    const path = join(dir, 'all.safetensors');
    handMade(path, header, Buffer.concat(parts));
    await SafetensorsFile.with(path, async (f) => {
      expect(f.metadata).toEqual({ format: 'pt' });
      expect([...(await f.readFloat32('f32'))]).toEqual([1.5, -2.25]);
      expect([...(await f.readFloat32('f64'))]).toEqual([0.125]);
      expect([...(await f.readFloat32('f16'))]).toEqual([1, -2, 2 ** -24]);
      expect([...(await f.readFloat32('bf16'))]).toEqual([1.5, -4]);
      expect([...(await f.readInt64('i64'))]).toEqual([49407n, -3n]);
      expect(f.info('i64').shape).toEqual([1, 2]);
      expect([...(await f.readFloat32('i32'))]).toEqual([-7]);
      expect([...(await f.readFloat32('i16'))]).toEqual([-300]);
      expect([...(await f.readFloat32('i8'))]).toEqual([-1, 5]);
      expect([...(await f.readFloat32('u8'))]).toEqual([200]);
      expect([...(await f.readFloat32('bool'))]).toEqual([1, 0]);
      expect((await f.readFloat32('empty')).length).toBe(0);
      await expect(f.readFloat32('nope')).rejects.toThrow("no tensor named 'nope'");
    });
  });

  it('round-trips through the writer in every float dtype', async () => {
    const values = Float32Array.of(0, 1, -1, 0.333251953125, 65504, -0.5);
    const path = join(dir, 'rt.safetensors');
    await writeSafetensors(path, [
      { name: 'a', dtype: 'F32', shape: [2, 3], data: values },
      { name: 'b', dtype: 'F16', shape: [6], data: values },
      { name: 'c', dtype: 'BF16', shape: [6], data: Float32Array.of(1, 2, -3, 0.5, 256, -0.125) },
      { name: 'd', dtype: 'I64', shape: [2], data: BigInt64Array.of(1n, 49406n) },
    ]);
    const raw = readFileSync(path);
    expect((8 + Number(raw.readBigUInt64LE(0))) % 8).toBe(0);
    await SafetensorsFile.with(path, async (f) => {
      expect([...(await f.readFloat32('a'))]).toEqual([...values]);
      expect([...(await f.readFloat32('b'))]).toEqual([...values]);
      expect([...(await f.readFloat32('c'))]).toEqual([1, 2, -3, 0.5, 256, -0.125]);
      expect([...(await f.readInt64('d'))]).toEqual([1n, 49406n]);
    });
  });

  it('rounds float32 to half to nearest even and overflows to infinity', () => {
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalf(70000)).toBe(0x7c00);
    expect(halfToFloat(floatToHalf(2 ** -20))).toBe(2 ** -20);
    expect(halfToFloat(floatToHalf(-0.1))).toBeCloseTo(-0.1, 4);
  });

  it('rejects a header that lies about a tensor size, naming the tensor', async () => {
    const path = join(dir, 'lie.safetensors');
    handMade(path, { w: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, Buffer.alloc(8));
    await expect(SafetensorsFile.open(path)).rejects.toMatchObject({ code: 'BAD_WEIGHTS', message: expect.stringContaining("tensor 'w' claims 8 bytes but F32[4] needs 16") });
  });

  it('rejects a truncated file with the byte counts', async () => {
    const path = join(dir, 'trunc.safetensors');
    handMade(path, { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, Buffer.alloc(10));
    await expect(SafetensorsFile.open(path)).rejects.toMatchObject({ code: 'BAD_WEIGHTS', message: expect.stringContaining("tensor 'w' ends at data byte 16 but the file has only 10 data bytes") });
  });

  it('rejects a header length beyond the file, bad JSON, unknown dtypes and overlaps', async () => {
    const big = join(dir, 'biglen.safetensors');
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(1000n);
    writeFileSync(big, b);
    await expect(SafetensorsFile.open(big)).rejects.toThrow('header length 1000 does not fit in a 16-byte file');
    const json = join(dir, 'json.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(3n);
    writeFileSync(json, Buffer.concat([len, Buffer.from('{x}')]));
    await expect(SafetensorsFile.open(json)).rejects.toThrow('not valid JSON');
    const dt = join(dir, 'dtype.safetensors');
    handMade(dt, { w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1));
    await expect(SafetensorsFile.open(dt)).rejects.toThrow("tensor 'w' has unknown dtype \"F8\"");
    const ov = join(dir, 'overlap.safetensors');
    handMade(ov, { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, Buffer.alloc(12));
    await expect(SafetensorsFile.open(ov)).rejects.toThrow("tensors 'a' and 'b' overlap");
    await expect(SafetensorsFile.open(join(dir, 'missing.safetensors'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    writeFileSync(join(dir, 'tiny.safetensors'), Buffer.alloc(3));
    await expect(SafetensorsFile.open(join(dir, 'tiny.safetensors'))).rejects.toThrow('too short');
  });
});
