// The .pth reader on real checkpoints written by torch 1.13 (zip and legacy formats, test/golden/pth) and on
// malicious pickles: torch.save'd ones that would run os.system / eval / exec or an unlisted callable, nested or
// not, and hand-assembled ones for the opcodes torch.save does not emit (INST, NEWOBJ, EXT1, REDUCE on a str).
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PyDict, type PyTuple, UnsafePickleError } from '../../src/graph/weights/pth/pickle-values.ts';
import { openPthStore, readPth } from '../../src/graph/weights/pth/pth-checkpoint.ts';
import { unpickle } from '../../src/graph/weights/pth/torch-pickle.ts';
import { golden } from './golden-helpers.ts';

const dir = golden('pth');
const at = (name: string) => join(dir, name);
interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}
const expected = JSON.parse(readFileSync(at('expected.json'), 'utf8')) as {
  state: Record<string, Record<string, ExpectedTensor>>;
  tensors: Record<string, ExpectedTensor>;
  meta: Record<string, unknown>;
  evil: Record<string, string>;
};

async function expectStore(path: string, want: Record<string, ExpectedTensor>, keys?: string[]): Promise<void> {
  const store = await openPthStore(path, keys);
  try {
    expect(store.names()).toEqual(Object.keys(want));
    for (const [name, t] of Object.entries(want)) {
      const entry = store.get(name);
      expect([entry.dtype, entry.shape], name).toEqual([t.dtype, t.shape]);
      expect([...(await entry.read())], name).toEqual(t.values.map(Number).map(Math.fround));
    }
  } finally {
    await store.close();
  }
}

/** Assembles a pickle from opcodes (strings are latin1 bytes) and numbers (single bytes). */
function pickle(...parts: (string | number)[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p].map((c) => c.charCodeAt(0)))));
}
const short = (s: string) => ['\x8c', s.length, s];

function refusal(fn: () => unknown): UnsafePickleError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafePickleError);
    return error as UnsafePickleError;
  }
  throw new Error('not refused');
}

describe('.pth checkpoints written by torch 1.13', () => {
  for (const format of ['zip', 'legacy']) {
    it(`reads a Real-ESRGAN-style {params, params_ema} checkpoint (${format}), preferring params_ema`, async () => {
      await expectStore(at(`state_${format}.pth`), expected.state.params_ema);
      await expectStore(at(`state_${format}.pth`), expected.state.params, ['params']);
    });

    it(`reads every dtype, 0-dim, empty, strided and shared-storage tensors and a Parameter (${format})`, async () => {
      await expectStore(at(`tensors_${format}.pth`), expected.tensors, ['tensors']);
      const contents = await readPth(at(`tensors_${format}.pth`));
      await contents.file.close();
      const meta = (contents.value as PyDict).get('meta') as PyDict;
      expect(meta.get('epoch')).toBe(3);
      expect(meta.get('lr')).toBe(0.5);
      expect(meta.get('name')).toBe('tiny');
      expect(meta.get('big')).toBe(2n ** 70n);
      expect(meta.get('neg')).toBe(-(2 ** 40));
      expect((meta.get('flags') as PyTuple).items).toEqual([true, false, null]);
      expect(meta.get('list')).toEqual([1, 2.5, 'x']);
    });
  }

  it('points contiguous fp32 tensors at their bytes in the file (for ONNX external data)', async () => {
    const store = await openPthStore(at('state_zip.pth'));
    const handle = await open(at('state_zip.pth'), 'r');
    try {
      const entry = store.get('0.weight');
      const location = entry.location;
      expect(location?.offset).toBeDefined();
      expect(location?.offset && location.offset % 64).toBe(0); // torch aligns its records to 64 bytes
      const buf = Buffer.alloc(location?.byteLength ?? 0);
      await handle.read(buf, 0, buf.length, location?.offset);
      expect([...new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4)]).toEqual([...(await entry.read())]);
      expect(store.get('1.num_batches_tracked').location).toBeUndefined(); // int64: converted, not mapped
    } finally {
      await handle.close();
      await store.close();
    }
  });

  it('names the state-dict keys it looked for when the checkpoint holds something else', async () => {
    await expect(openPthStore(at('tensors_zip.pth'))).rejects.toThrow(/top level \(no params_ema \/ params \/ state_dict key\) holds non-tensor entries: tensors, meta/);
  });
});

describe('refusing pickles that would run code', () => {
  for (const [file, global] of Object.entries(expected.evil)) {
    it(`${file}: refused, naming ${global}`, async () => {
      const error = await openPthStore(at(file)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnsafePickleError);
      expect(error).toMatchObject({ code: 'BAD_WEIGHTS', global });
      expect((error as Error).message).toContain(`'${global}'`);
      expect((error as Error).message).toContain(at(file));
    });
  }

  it('refuses a global as soon as it is named, even if it is never called', () => {
    // {'x': os.system} — no REDUCE at all
    expect(refusal(() => unpickle(pickle('\x80\x02}', ...short('x'), 'cos\nsystem\ns.'), 't')).global).toBe('os.system');
  });

  it('refuses REDUCE on anything but an allowlisted callable, and calls of storage types', () => {
    // 'eval'('1') with a plain string as the "callable"
    expect(refusal(() => unpickle(pickle('\x80\x02', ...short('eval'), ...short('1'), '\x85R.'), 't')).global).toBe('a str');
    expect(refusal(() => unpickle(pickle('\x80\x02ctorch\nFloatStorage\n)R.'), 't')).global).toBe('torch.FloatStorage');
  });

  it('refuses instantiation (INST, OBJ, NEWOBJ) and extension-registry globals', () => {
    expect(refusal(() => unpickle(pickle('\x80\x02(ios\nsystem\n.'), 't')).global).toBe('os.system');
    expect(refusal(() => unpickle(pickle('\x80\x02ccollections\nOrderedDict\n)\x81.'), 't')).global).toBe('collections.OrderedDict');
    expect(refusal(() => unpickle(pickle('\x80\x02(ccollections\nOrderedDict\no.'), 't')).global).toBe('collections.OrderedDict');
    expect(refusal(() => unpickle(pickle('\x80\x02\x82', 1, '.'), 't')).global).toBe('extension code 1');
  });

  it('keeps a "__proto__" key as data', () => {
    const { value } = unpickle(pickle('\x80\x02}', ...short('__proto__'), '}', ...short('polluted'), '\x88ss.'), 't');
    expect((value as PyDict).get('__proto__')).toBeInstanceOf(PyDict);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects malformed structure with a BAD_WEIGHTS message, not a crash', () => {
    const bad = (bytes: Uint8Array, message: RegExp) => expect(() => unpickle(bytes, 't')).toThrow(message);
    bad(pickle('\x80\x02X', 0xff, 0xff, 0, 0), /needs 65535 more bytes/);
    bad(pickle('\x80\x02s.'), /stack underflow/);
    bad(pickle('\x80\x02h', 5, '.'), /memo 5 was never stored/);
    bad(pickle('\x80\x02', ...short('storage'), '\x85Q.'), /persistent id \(str\) is not \('storage'/);
    // a 4-element view at offset 2 of a 4-element storage
    const storage = ['(', ...short('storage'), 'ctorch\nFloatStorage\n', ...short('0'), ...short('cpu'), 'K', 4, 'tQ'];
    const view = pickle('\x80\x02ctorch._utils\n_rebuild_tensor\n(', ...storage, 'K', 2, 'K', 4, '\x85K', 1, '\x85tR.');
    bad(view, /a \[4\] view at offset 2 reaches past its 4-element storage/);
    bad(pickle('\x80\x02\x97.'), /unsupported opcode 0x97/);
  });

  it('rejects files that are not torch checkpoints, or are cut short', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'memeloom-pth-'));
    writeFileSync(join(tmp, 'image.pth'), Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
    await expect(openPthStore(join(tmp, 'image.pth'))).rejects.toMatchObject({ code: 'BAD_WEIGHTS', message: expect.stringMatching(/neither a zip archive nor a legacy torch file/) });
    const whole = readFileSync(at('state_zip.pth'));
    writeFileSync(join(tmp, 'cut.pth'), whole.subarray(0, whole.length - 200));
    await expect(openPthStore(join(tmp, 'cut.pth'))).rejects.toMatchObject({ code: 'BAD_WEIGHTS' });
    copyFileSync(at('state_legacy.pth'), join(tmp, 'legacy.pth'));
    writeFileSync(join(tmp, 'legacy-cut.pth'), readFileSync(join(tmp, 'legacy.pth')).subarray(0, 2000));
    await expect(openPthStore(join(tmp, 'legacy-cut.pth'))).rejects.toMatchObject({ code: 'BAD_WEIGHTS', message: expect.stringMatching(/runs past the end|element count/) });
    await expect(openPthStore(join(tmp, 'missing.pth'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
