// Piecewise-affine image warping: fills each destination triangle by sampling the source triangle it came
// from (bilinear), nearest surface first through a z-buffer so folded regions of a turned head stay right.
import type { RgbImage } from '../../types.ts';

export interface WarpMesh {
  /** Source vertex positions [x0, y0, x1, y1, ...] in source pixels. */
  source: Float32Array;
  /** Triangle vertex indices, three per triangle. */
  triangles: Uint32Array;
}

/** Source offsets below this (pixels) are treated as no motion at all. */
const SNAP_PX = 0.35;

/** Bilinear RGB sample at a fractional position (clamped to the image). */
function sampleInto(src: RgbImage, x: number, y: number, out: Uint8Array, offset: number): void {
  const maxX = src.width - 1;
  const maxY = src.height - 1;
  const cx = x < 0 ? 0 : Math.min(x , maxX);
  const cy = y < 0 ? 0 : Math.min(y , maxY);
  const x0 = cx | 0;
  const y0 = cy | 0;
  const x1 = x0 < maxX ? x0 + 1 : x0;
  const y1 = y0 < maxY ? y0 + 1 : y0;
  const fx = cx - x0;
  const fy = cy - y0;
  const d = src.data;
  const w = src.width;
  const i00 = (y0 * w + x0) * 3;
  const i10 = (y0 * w + x1) * 3;
  const i01 = (y1 * w + x0) * 3;
  const i11 = (y1 * w + x1) * 3;
  for (let c = 0; c < 3; c++) {
    const top = d[i00 + c] + (d[i10 + c] - d[i00 + c]) * fx;
    const bottom = d[i01 + c] + (d[i11 + c] - d[i01 + c]) * fx;
    out[offset + c] = top + (bottom - top) * fy + 0.5;
  }
}

function vertexStill(s: Float32Array, dst: Float32Array, v: number): boolean {
  return Math.abs(s[v * 2] - dst[v * 2]) <= 1e-3 && Math.abs(s[v * 2 + 1] - dst[v * 2 + 1]) <= 1e-3;
}

/** Barycentric weights inside the triangle are ≥ −this (a hair of overlap so shared edges leave no gaps). */
const EDGE_EPS = 1e-4;

/*
 * Along a row a weight is w(x) = k·x + m; it stays ≥ −EDGE_EPS from rowFrom(k, m) to rowTo(k, m). Both are
 * widened by a pixel for rounding: they only skip pixels clearly outside, the exact test still runs per pixel.
 */
function rowFrom(k: number, m: number): number {
  if (k > 0) return Math.floor((-EDGE_EPS - m) / k) - 1;
  return k === 0 && m < -EDGE_EPS ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

function rowTo(k: number, m: number): number {
  if (k < 0) return Math.ceil((-EDGE_EPS - m) / k) + 1;
  return k === 0 && m < -EDGE_EPS ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/**
 * Warps `src` into `out` (already holding a copy of src) for destination vertices `dst` with depths `depth`
 * (smaller = nearer). Triangles that do not move are skipped: their pixels already match.
 */
export function warpTriangles(src: RgbImage, out: Uint8Array, zBuffer: Float32Array, mesh: WarpMesh, dst: Float32Array, depth: Float32Array): void {
  const { width, height } = src;
  zBuffer.fill(Number.POSITIVE_INFINITY);
  const tris = mesh.triangles;
  const s = mesh.source;
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t];
    const b = tris[t + 1];
    const c = tris[t + 2];
    if (vertexStill(s, dst, a) && vertexStill(s, dst, b) && vertexStill(s, dst, c)) continue;
    const ax = dst[a * 2], ay = dst[a * 2 + 1], bx = dst[b * 2], by = dst[b * 2 + 1], cx = dst[c * 2], cy = dst[c * 2 + 1];
    const area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(area) < 1e-6) continue;
    const inv = 1 / area;
    const minX = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const minY = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    const za = depth[a], zb = depth[b], zc = depth[c];
    const sax = s[a * 2], say = s[a * 2 + 1], sbx = s[b * 2], sby = s[b * 2 + 1], scx = s[c * 2], scy = s[c * 2 + 1];
    // wb and wc are linear in x along a row: kb·x + mb, kc·x + mc; wa = 1 − wb − wc.
    const kb = (cy - ay) * inv;
    const kc = -(by - ay) * inv;
    for (let y = minY; y <= maxY; y++) {
      const mb = (-ax * (cy - ay) - (cx - ax) * (y - ay)) * inv;
      const mc = ((bx - ax) * (y - ay) + ax * (by - ay)) * inv;
      const ka = -kb - kc;
      const ma = 1 - mb - mc;
      const x0 = Math.max(minX, rowFrom(kb, mb), rowFrom(kc, mc), rowFrom(ka, ma));
      const x1 = Math.min(maxX, rowTo(kb, mb), rowTo(kc, mc), rowTo(ka, ma));
      for (let x = x0; x <= x1; x++) {
        // Barycentric weights of pixel (x, y) in the destination triangle.
        const wb = ((x - ax) * (cy - ay) - (cx - ax) * (y - ay)) * inv;
        const wc = ((bx - ax) * (y - ay) - (x - ax) * (by - ay)) * inv;
        const wa = 1 - wb - wc;
        if (wa < -EDGE_EPS || wb < -EDGE_EPS || wc < -EDGE_EPS) continue;
        const pixel = y * width + x;
        const z = wa * za + wb * zb + wc * zc;
        if (z >= zBuffer[pixel]) continue;
        zBuffer[pixel] = z;
        const sx = wa * sax + wb * sbx + wc * scx;
        const sy = wa * say + wb * sby + wc * scy;
        if (Math.abs(sx - x) < SNAP_PX && Math.abs(sy - y) < SNAP_PX) {
          // Barely moved: keep the photo's own pixel (out already holds it), so still areas stay bit-identical
          // from frame to frame and GIF frame differencing can skip them.
          continue;
        }
        sampleInto(src, sx, sy, out, pixel * 3);
      }
    }
  }
}
