// The background fill: a hole takes the colours around it (near each side, that side's colour), never what
// was inside it, and pixels outside the hole are untouched; it diffuses in smoothly from the hole's border, with
// no blotches (a smooth background stays smooth: a shading ramp runs on through the hole).
import { describe, expect, it } from 'vitest';
import { fillFromSurroundings } from '../../../../../src/pipeline/engines/warp/inpaint.ts';
import type { RgbImage } from '../../../../../src/pipeline/types.ts';

const W = 64;
const H = 48;

/** Left half blue, right half green, a red square in the middle that is the hole. */
function picture(): { image: RgbImage; hole: Uint8Array } {
  const data = new Uint8Array(W * H * 3);
  const hole = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const inHole = x >= 20 && x < 44 && y >= 12 && y < 36;
      hole[p] = inHole ? 1 : 0;
      data.set(inHole ? [255, 0, 0] : x < W / 2 ? [0, 0, 200] : [0, 200, 0], p * 3);
    }
  }
  return { image: { width: W, height: H, data }, hole };
}

describe('fillFromSurroundings', () => {
  it('paints the hole from its border, each side from its own colour, with nothing of what was inside', () => {
    const { image, hole } = picture();
    const known = Uint8Array.from(hole, (h) => 1 - h);
    const out = fillFromSurroundings(image, known, hole);
    const at = (x: number, y: number) => [...out.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
    for (let p = 0; p < W * H; p++) if (hole[p]) expect(out[p * 3], `red left at ${p}`).toBeLessThan(8);
    const [, gLeft, bLeft] = at(21, 24);
    const [, gRight, bRight] = at(42, 24);
    expect(bLeft).toBeGreaterThan(gLeft + 60); // the left edge of the hole is blue
    expect(gRight).toBeGreaterThan(bRight + 60); // the right edge green
    for (let p = 0; p < W * H; p++) if (!hole[p]) expect(out[p * 3 + 2]).toBe(image.data[p * 3 + 2]);
  });

  it('fills a hole in a flat colour with exactly that colour, and leaves pixels that are neither alone', () => {
    const data = new Uint8Array(W * H * 3).fill(90);
    const hole = new Uint8Array(W * H);
    const known = new Uint8Array(W * H).fill(1);
    for (let p = 0; p < 300; p++) [hole[p + 600], known[p + 600], data[(p + 600) * 3]] = [1, 0, 250];
    known[1500] = 0; // neither known nor hole: not a source, not filled
    data[1500 * 3] = 7;
    const out = fillFromSurroundings({ width: W, height: H, data }, known, hole);
    for (let p = 600; p < 900; p++) expect([...out.subarray(p * 3, p * 3 + 3)]).toEqual([90, 90, 90]);
    expect(out[1500 * 3]).toBe(7);
  });

  it('continues a smooth background through a large hole without blotches: a linear shading ramp stays a ramp', () => {
    const [w, h] = [160, 128];
    const data = new Uint8Array(w * h * 3);
    const hole = new Uint8Array(w * h);
    const ramp = (x: number, y: number) => 40 + 0.8 * x + 0.5 * y;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        // A head-and-shoulders hole: an ellipse on a block, holding a bright patch that must not leak out.
        const inHole = ((x - 80) / 36) ** 2 + ((y - 50) / 40) ** 2 < 1 || (y > 70 && y < 116 && x > 30 && x < 130);
        hole[p] = inHole ? 1 : 0;
        data.fill(inHole ? 250 : Math.round(ramp(x, y)), p * 3, p * 3 + 3);
      }
    }
    const out = fillFromSurroundings({ width: w, height: h, data }, Uint8Array.from(hole, (v) => 1 - v), hole);
    let worst = 0;
    let roughness = 0;
    let count = 0;
    const s = 4; // blotches are pyramid cells a few pixels across; a step of 4 also sees past the 8-bit rounding
    for (let y = s; y < h - s; y++) {
      for (let x = s; x < w - s; x++) {
        const p = y * w + x;
        if (!hole[p]) continue;
        worst = Math.max(worst, Math.abs(out[p * 3] - ramp(x, y)));
        // The Laplacian over ±s: 0 on a ramp, and a membrane fill keeps it near 0; blotches do not.
        roughness += Math.abs(out[(p - s) * 3] + out[(p + s) * 3] + out[(p - s * w) * 3] + out[(p + s * w) * 3] - 4 * out[p * 3]);
        count++;
      }
    }
    expect(worst).toBeLessThan(3);
    expect(roughness / count, `worst ${worst.toFixed(1)}`).toBeLessThan(0.8); // main's push-pull: 1.07 (worst 4.8); 8-bit rounding alone gives about 0.5
  });
});
