// warpTriangles against a plain reference rasterizer (every pixel of each triangle's bounding box, the same
// inclusion and depth tests): the row-narrowed scan must write exactly the same pixels with the same values.
import { describe, expect, it } from 'vitest';
import { type WarpMesh, warpTriangles } from '../../../../src/pipeline/engines/warp/rasterize-triangles.ts';
import type { RgbImage } from '../../../../src/pipeline/types.ts';

const WIDTH = 48;
const HEIGHT = 40;
const BACKGROUND = 7;

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Triangle i samples one source pixel of its own; this is where, and its colour. */
const sourcePixel = (i: number) => [i % WIDTH, Math.floor(i / WIDTH)] as const;
const colourOf = (i: number) => [(i * 4) % 256, 255 - ((i * 4) % 256), 128];

/** The expected image: bounding-box scan, same weights, same z-buffer, same "barely moved" rule. */
function reference(photo: Uint8Array, mesh: WarpMesh, dst: Float32Array, depth: Float32Array): Uint8Array {
  const image = new Uint8Array(photo);
  const z = new Float32Array(WIDTH * HEIGHT).fill(Number.POSITIVE_INFINITY);
  const t = mesh.triangles;
  for (let i = 0; i < t.length; i += 3) {
    const [a, b, c] = [t[i], t[i + 1], t[i + 2]];
    const ax = dst[a * 2], ay = dst[a * 2 + 1], bx = dst[b * 2], by = dst[b * 2 + 1], cx = dst[c * 2], cy = dst[c * 2 + 1];
    const area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(area) < 1e-6) continue;
    const inv = 1 / area;
    const [sx, sy] = sourcePixel(i / 3);
    for (let y = Math.max(0, Math.floor(Math.min(ay, by, cy))); y <= Math.min(HEIGHT - 1, Math.ceil(Math.max(ay, by, cy))); y++) {
      for (let x = Math.max(0, Math.floor(Math.min(ax, bx, cx))); x <= Math.min(WIDTH - 1, Math.ceil(Math.max(ax, bx, cx))); x++) {
        const wb = ((x - ax) * (cy - ay) - (cx - ax) * (y - ay)) * inv;
        const wc = ((bx - ax) * (y - ay) - (x - ax) * (by - ay)) * inv;
        const wa = 1 - wb - wc;
        if (wa < -1e-4 || wb < -1e-4 || wc < -1e-4) continue;
        const pixel = y * WIDTH + x;
        const here = wa * depth[a] + wb * depth[b] + wc * depth[c];
        if (here >= z[pixel]) continue;
        z[pixel] = here;
        if (Math.abs(sx - x) < 0.35 && Math.abs(sy - y) < 0.35) continue;
        image.set(colourOf(i / 3), pixel * 3);
      }
    }
  }
  return image;
}

describe('warpTriangles', () => {
  it('writes exactly what a full bounding-box scan writes, for slivers, big, flipped and off-image triangles', () => {
    const rand = random(7);
    const count = 60;
    const dst = new Float32Array(count * 3 * 2);
    for (let i = 0; i < dst.length; i += 2) dst.set([rand() * (WIDTH + 20) - 10, rand() * (HEIGHT + 20) - 10], i);
    // Slivers: a third vertex almost on the line through the other two, and a near-vertical one.
    dst.set([5, 5, 40, 6, 22.5, 5.52], 0);
    dst.set([3, 30, 3, 2, 3.3, 15], 6);
    const depth = Float32Array.from({ length: count * 3 }, () => rand());
    const src: RgbImage = { width: WIDTH, height: HEIGHT, data: new Uint8Array(WIDTH * HEIGHT * 3).fill(BACKGROUND) };
    const source = new Float32Array(count * 3 * 2);
    for (let i = 0; i < count; i++) {
      const [x, y] = sourcePixel(i);
      src.data.set(colourOf(i), (y * WIDTH + x) * 3);
      for (let k = 0; k < 3; k++) source.set([x, y], (i * 3 + k) * 2);
    }
    const mesh: WarpMesh = { source, triangles: Uint32Array.from({ length: count * 3 }, (_, i) => i) };

    const out = new Uint8Array(src.data);
    warpTriangles(src, out, new Float32Array(WIDTH * HEIGHT), mesh, dst, depth);

    const expected = reference(src.data, mesh, dst, depth);
    let written = 0;
    for (let p = 0; p < WIDTH * HEIGHT; p++) {
      if (expected[p * 3] !== src.data[p * 3] || expected[p * 3 + 1] !== src.data[p * 3 + 1]) written++;
      expect([...out.subarray(p * 3, p * 3 + 3)], `pixel ${p % WIDTH},${Math.floor(p / WIDTH)}`).toEqual([...expected.subarray(p * 3, p * 3 + 3)]);
    }
    expect(written).toBeGreaterThan(WIDTH * HEIGHT * 0.4);
  });
});
