// RRDBNet ×2 against HelloMeme's own RRDBNet and RealESRGANer (test/golden/esrgan_x2_tiny, made by its script from
// hellomeme/tools/sr.py): the network on a raw tensor, and the whole frame path (reflect pre-pad, pad to even,
// crop, clamp, round) on an odd-sized RGB image. The weights are read from the golden's torch-saved .pth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { padForUpscale, toRgb, enhanceRgb } from '../../../src/graph/models/esrgan/enhance-rgb.ts';
import { type LoadedRrdbNet, loadRrdbNet } from '../../../src/graph/models/esrgan/build-graph.ts';
import { readJson, readTensor, maxAbsDiff } from '../golden-helpers.ts';
import { SafetensorsFile } from '../../../src/graph/weights/safetensors.ts';
import { esrganGolden, type NetSession, netSession } from './esrgan-helpers.ts';

const tensors = esrganGolden('tensors.safetensors');
let loaded: LoadedRrdbNet;
let net: NetSession;

async function readU8(name: string): Promise<{ shape: readonly number[]; data: Uint8Array }> {
  return SafetensorsFile.with(tensors, async (f) => ({ shape: f.info(name).shape, data: await f.readRaw(name) }));
}

beforeAll(async () => {
  loaded = await loadRrdbNet(esrganGolden('weights.pth'));
  net = await netSession(loaded.net);
});

afterAll(async () => {
  await net?.session.dispose();
  await loaded?.close();
});

describe('Real-ESRGAN ×2 (tiny RRDBNet) against HelloMeme sr.py', () => {
  it('infers the architecture from the weights', () => {
    const config = (readJson(esrganGolden('manifest.json')).config ?? {}) as Record<string, number>;
    expect(loaded.net.config).toEqual({ channels: 3, scale: config.scale, numFeat: config.num_feat, numBlock: config.num_block, numGrowCh: config.num_grow_ch });
  });

  it('matches the network output within 1e-4', async () => {
    const input = await readTensor(tensors, 'input');
    const expected = await readTensor(tensors, 'output');
    const [, channels, height, width] = input.dims;
    const out = await net.run({ data: input.data, channels, height, width });
    const err = maxAbsDiff(expected.data, out);
    console.log(`esrgan tiny network: max |Δ| = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
  });

  it("matches RealESRGANer.enhance on an odd-sized frame: floats within 1e-4, uint8 exact away from .5 edges", async () => {
    const image = await readU8('image');
    const [height, width] = image.shape;
    const frame = { width, height, data: image.data };
    const expectedFloat = await readTensor(tensors, 'enhanced_float');
    const padded = padForUpscale(frame, 2);
    expect([padded.height, padded.width]).toEqual([32, 28]); // 21 + 10 → 31 → 32; 17 + 10 → 27 → 28
    const out = await net.run(padded);
    const [, , oh, ow] = expectedFloat.dims;
    const cropped = new Float32Array(3 * oh * ow);
    for (let c = 0; c < 3; c++) for (let y = 0; y < oh; y++) cropped.set(out.subarray((c * padded.height * 2 + y) * padded.width * 2, (c * padded.height * 2 + y) * padded.width * 2 + ow), (c * oh + y) * ow);
    const err = maxAbsDiff(expectedFloat.data, cropped);
    console.log(`esrgan tiny enhance: max |Δ| float = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);

    const expected = await readU8('enhanced');
    const rgb = toRgb({ data: out, channels: 3, height: padded.height * 2, width: padded.width * 2 }, width * 2, height * 2);
    expect([rgb.width, rgb.height]).toEqual([expected.shape[1], expected.shape[0]]);
    let mismatches = 0;
    for (let i = 0; i < rgb.data.length; i++) {
      if (rgb.data[i] === expected.data[i]) continue;
      const [y, x, c] = [Math.floor(i / 3 / (width * 2)), Math.floor(i / 3) % (width * 2), i % 3];
      const v = Math.min(1, Math.max(0, expectedFloat.data[(c * oh + y) * ow + x])) * 255;
      expect(Math.abs((v % 1) - 0.5), `pixel ${i} is not at a rounding edge`).toBeLessThan(1e-3);
      mismatches++;
    }
    expect(mismatches).toBeLessThan(3);
    // The whole wrapper (one tile: the frame fits) gives the same bytes.
    expect(Buffer.from((await enhanceRgb(frame, 2, 2, net.run)).data).equals(Buffer.from(rgb.data))).toBe(true);
  });
});
