// warpTriangles against a plain reference rasterizer (every pixel of each triangle's bounding box, the same
// inclusion and depth tests): the row-narrowed scan must write exactly the same pixels with the same values;
// and the person layer: opacity blends over the background plate, the hole is always composited.
import { describe, expect, it } from 'vitest';
import { personLayer } from '../../../../src/pipeline/engines/warp/person-layer.ts';
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
    const opaque = personLayer(mesh, new Uint8Array(WIDTH * HEIGHT).fill(255), new Uint8Array(WIDTH * HEIGHT), WIDTH, HEIGHT);
    warpTriangles(src, out, new Float32Array(WIDTH * HEIGHT), mesh, dst, depth, opaque);

    const expected = reference(src.data, mesh, dst, depth);
    let written = 0;
    for (let p = 0; p < WIDTH * HEIGHT; p++) {
      if (expected[p * 3] !== src.data[p * 3] || expected[p * 3 + 1] !== src.data[p * 3 + 1]) written++;
      expect([...out.subarray(p * 3, p * 3 + 3)], `pixel ${p % WIDTH},${Math.floor(p / WIDTH)}`).toEqual([...expected.subarray(p * 3, p * 3 + 3)]);
    }
    expect(written).toBeGreaterThan(WIDTH * HEIGHT * 0.4);
  });

  /** A 20×20 photo of one colour, as two triangles covering it, moved right by `shift` pixels. */
  function square(shift: number) {
    const size = 20;
    const src: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3) };
    for (let p = 0; p < size * size; p++) src.data.set([200, 100, 50], p * 3);
    const source = Float32Array.from([0, 0, size - 1, 0, size - 1, size - 1, 0, size - 1]);
    const mesh: WarpMesh = { source, triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]) };
    const dst = source.map((v, i) => (i % 2 === 0 ? v + shift : v));
    return { size, src, mesh, dst, depth: new Float32Array(4) };
  }

  it('lays the person over the background plate by its opacity; a transparent source leaves the plate', () => {
    const { size, src, mesh, dst, depth } = square(3);
    const alpha = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) alpha[y * size + x] = x < 8 ? 255 : x < 14 ? 64 : 0;
    const layer = personLayer(mesh, alpha, new Uint8Array(size * size), size, size);
    const out = new Uint8Array(size * size * 3).fill(10); // the plate
    warpTriangles(src, out, new Float32Array(size * size), mesh, dst, depth, layer);
    const at = (x: number) => [...out.subarray((10 * size + x) * 3, (10 * size + x) * 3 + 3)];
    expect(at(5)).toEqual([200, 100, 50]); // from source x = 2: opaque
    expect(at(13)).toEqual([58, 33, 20]); // from source x = 10: 64/255 of the colour over the plate
    expect(at(19)).toEqual([10, 10, 10]); // from source x = 16: transparent, the plate shows
    expect(at(1)).toEqual([10, 10, 10]); // nothing moved here
  });

  it('composites the hole while the mesh stands still and leaves the rest of a still mesh alone', () => {
    const { size, src, mesh, depth } = square(0);
    const alpha = new Uint8Array(size * size).fill(255);
    alpha[5 * size + 6] = 128;
    const hole = new Uint8Array(size * size);
    hole[5 * size + 5] = 1;
    hole[5 * size + 6] = 1;
    const out = new Uint8Array(size * size * 3).fill(10);
    warpTriangles(src, out, new Float32Array(size * size), mesh, mesh.source, depth, personLayer(mesh, alpha, hole, size, size));
    expect([...out.subarray((5 * size + 5) * 3, (5 * size + 5) * 3 + 3)]).toEqual([200, 100, 50]);
    expect([...out.subarray((5 * size + 6) * 3, (5 * size + 6) * 3 + 3)]).toEqual([105, 55, 30]);
    // Outside the hole a still pixel is the plate's (which equals the photo there in the engine).
    expect([...out.subarray((15 * size + 15) * 3, (15 * size + 15) * 3 + 3)]).toEqual([10, 10, 10]);
  });
});
