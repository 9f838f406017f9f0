// Tiled Real-ESRGAN inference: the tile plan covers every pixel with aligned, overlapping tiles no larger than
// asked; the blend weights sum to one everywhere; and a tiled run equals the untiled one when the margin covers
// the network's receptive field (a tiny RRDBNet, real ONNX Runtime sessions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RRDBNet } from '../../../src/graph/models/esrgan/rrdbnet.ts';
import { axisWeights, DEFAULT_TILES, planAxis, upscaleTiled, type TileOptions } from '../../../src/graph/models/esrgan/tiled-upscale.ts';
import { bindWeights } from '../../../src/graph/nn/bind.ts';
import { maxAbsDiff, randn, randomStore } from '../golden-helpers.ts';
import { type NetSession, netSession } from './esrgan-helpers.ts';

describe('tile plan', () => {
  it('covers each length with aligned tiles that overlap by at least the overlap and stay near maxTile', () => {
    for (const options of [DEFAULT_TILES, { maxTile: 64, overlap: 20, margin: 6, align: 2 }, { maxTile: 100, overlap: 24, margin: 4, align: 4 }] as TileOptions[]) {
      for (let length = options.align * 8; length <= 1200; length += options.align) {
        const tiles = planAxis(length, options);
        expect(tiles[0].start).toBe(0);
        const last = tiles[tiles.length - 1];
        expect(last.start + last.size).toBe(length);
        for (const [i, t] of tiles.entries()) {
          expect(t.start % options.align).toBe(0);
          expect(t.size % options.align).toBe(0);
          expect(t.size).toBeLessThanOrEqual(Math.max(length <= options.maxTile ? length : 0, options.maxTile + options.align));
          if (i) expect(tiles[i - 1].start + tiles[i - 1].size - t.start, `length ${length} tile ${i}`).toBeGreaterThanOrEqual(options.overlap);
        }
        // As few tiles as the size allows: one fewer would need tiles longer than maxTile.
        const n = tiles.length;
        if (n > 1) expect((length + (n - 2) * options.overlap) / (n - 1)).toBeGreaterThan(options.maxTile - options.overlap - options.align);
      }
    }
  });

  it('gives 2×2 tiles of 280 px for a 512 px frame after the 10 px pre-pad (13% more pixels than one tile)', () => {
    const tiles = planAxis(522, DEFAULT_TILES);
    expect(tiles).toEqual([
      { start: 0, size: 280 },
      { start: 242, size: 280 },
    ]);
  });

  it('blends with weights that sum to one and are zero within the margin of a cut edge', () => {
    const options = { maxTile: 64, overlap: 20, margin: 6, align: 2 };
    for (const scale of [1, 2, 4]) {
      const tiles = planAxis(170, options);
      const sum = new Float32Array(170 * scale);
      for (const [i, t] of tiles.entries()) {
        const w = axisWeights(tiles, i, scale, options.margin);
        w.forEach((v, u) => {
          sum[t.start * scale + u] += v;
        });
        if (i > 0) expect([...w.subarray(0, options.margin * scale)].every((v) => v === 0)).toBe(true);
        if (i < tiles.length - 1) expect([...w.subarray(w.length - options.margin * scale)].every((v) => v === 0)).toBe(true);
      }
      for (const v of sum) expect(v).toBeCloseTo(1, 6);
    }
  });

  it('refuses settings that cannot blend', () => {
    expect(() => planAxis(100, { maxTile: 64, overlap: 12, margin: 6, align: 2 })).toThrow(/must exceed twice the margin/);
    expect(() => planAxis(101, { maxTile: 64, overlap: 20, margin: 6, align: 2 })).toThrow(/not a multiple/);
  });
});

describe('tiled == untiled on a tiny RRDBNet', () => {
  // One RRDB: the receptive field is 2 + 15 convs at half resolution (34 input px) plus 1 + 3 convs after the
  // upsamplings (≈ 2.5 input px), so a 38 px margin makes every kept output pixel see exactly what it sees untiled.
  const net = new RRDBNet({ channels: 3, scale: 2, numFeat: 8, numBlock: 1, numGrowCh: 4 });
  let session: NetSession;
  beforeAll(async () => {
    bindWeights(net, randomStore(net, 91));
    session = await netSession(net);
  });
  afterAll(async () => {
    await session?.session.dispose();
  });

  it('matches within 1e-5 with a margin beyond the receptive field, over 4×3 tiles', async () => {
    const image = { data: randn(3 * 320 * 300, 5).map((v) => 0.5 + 0.25 * v), channels: 3, height: 320, width: 300 };
    const whole = await upscaleTiled(image, 2, session.run, { maxTile: 1024, overlap: 80, margin: 38, align: 2 });
    session.calls = 0;
    const tiled = await upscaleTiled(image, 2, session.run, { maxTile: 160, overlap: 80, margin: 38, align: 2 });
    expect(session.calls).toBe(12);
    expect([tiled.height, tiled.width]).toEqual([640, 600]);
    const err = maxAbsDiff(whole.data, tiled.data);
    console.log(`tiled vs untiled (margin ≥ receptive field): max |Δ| = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-5);
  });

  it('differs visibly with no margin and a hard cut (what the margin and ramp are for)', async () => {
    const image = { data: randn(3 * 96 * 96, 6).map((v) => 0.5 + 0.25 * v), channels: 3, height: 96, width: 96 };
    const whole = await upscaleTiled(image, 2, session.run, { maxTile: 1024, overlap: 2, margin: 0, align: 2 });
    const cut = await upscaleTiled(image, 2, session.run, { maxTile: 50, overlap: 2, margin: 0, align: 2 });
    expect(maxAbsDiff(whole.data, cut.data)).toBeGreaterThan(1e-3);
  });
});
