// Piecewise-affine image warping: fills each destination triangle by sampling the source triangle it came
// from (bilinear colour and opacity) and laying it over the background plate, nearest surface first through a
// z-buffer so folded regions of a turned head stay right.
import type { RgbImage } from '../../types.ts';
import type { PersonLayer } from './person-layer.ts';

export interface WarpMesh {
  /** Source vertex positions [x0, y0, x1, y1, ...] in source pixels. */
  source: Float32Array;
  /** Triangle vertex indices, three per triangle. */
  triangles: Uint32Array;
  /** Triangles from this one on only fill pixels nothing else covered (default: none do). */
  fillerStart?: number;
}

/** Depth of filler triangles: behind everything, so they never hide a real surface. */
const FILLER_DEPTH = 1e30;

/** Source offsets below this (pixels) are treated as no motion at all. */
const SNAP_PX = 0.35;

/** Whether any triangle before `end` is mirrored in `dst` relative to `source`: the surface folds, leaving gaps. */
function folds(mesh: WarpMesh, dst: Float32Array, end: number): boolean {
  const s = mesh.source;
  const t = mesh.triangles;
  for (let i = 0; i < end * 3; i += 3) {
    const a = t[i] * 2;
    const b = t[i + 1] * 2;
    const c = t[i + 2] * 2;
    const before = (s[b] - s[a]) * (s[c + 1] - s[a + 1]) - (s[c] - s[a]) * (s[b + 1] - s[a + 1]);
    const after = (dst[b] - dst[a]) * (dst[c + 1] - dst[a + 1]) - (dst[c] - dst[a]) * (dst[b + 1] - dst[a + 1]);
    if (before * after < 0) return true;
  }
  return false;
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
 * Warps the person layer of `src` into `out` (already holding the background plate: the photo with the hole
 * the head may uncover painted over) for destination vertices `dst` with depths `depth` (smaller = nearer).
 * Triangles that do not move and cover no hole are skipped (their pixels already match the photo), and so are
 * triangles over transparent background only.
 */
export function warpTriangles(src: RgbImage, out: Uint8Array, zBuffer: Float32Array, mesh: WarpMesh, dst: Float32Array, depth: Float32Array, layer: PersonLayer): void {
  const { width, height } = src;
  const { alpha, hole } = layer;
  const data = src.data;
  const lastX = width - 1;
  const lastY = height - 1;
  zBuffer.fill(Number.POSITIVE_INFINITY);
  const tris = mesh.triangles;
  const s = mesh.source;
  const fillerStart = mesh.fillerStart ?? tris.length / 3;
  for (let t = 0; t < tris.length; t += 3) {
    const index = t / 3;
    if (!layer.opaque[index]) continue;
    const a = tris[t];
    const b = tris[t + 1];
    const c = tris[t + 2];
    if (!layer.coversHole[index] && vertexStill(s, dst, a) && vertexStill(s, dst, b) && vertexStill(s, dst, c)) continue;
    const triangleAlpha = layer.solid[index] ? null : alpha;
    const ax = dst[a * 2], ay = dst[a * 2 + 1], bx = dst[b * 2], by = dst[b * 2 + 1], cx = dst[c * 2], cy = dst[c * 2 + 1];
    const area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (Math.abs(area) < 1e-6) continue;
    const inv = 1 / area;
    const minX = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const minY = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    const filler = index >= fillerStart;
    // Fillers only matter where the surface folds over and leaves a gap; an unfolded mesh covers everything.
    if (index === fillerStart && !folds(mesh, dst, fillerStart)) break;
    const za = filler ? FILLER_DEPTH : depth[a], zb = filler ? FILLER_DEPTH : depth[b], zc = filler ? FILLER_DEPTH : depth[c];
    const sax = s[a * 2], say = s[a * 2 + 1], sbx = s[b * 2], sby = s[b * 2 + 1], scx = s[c * 2], scy = s[c * 2 + 1];
    // The weights are linear in x along a row (w = k·x + m), and so are depth and source position.
    const kb = (cy - ay) * inv;
    const kc = -(by - ay) * inv;
    const ka = -kb - kc;
    const kz = ka * za + kb * zb + kc * zc;
    const ksx = ka * sax + kb * sbx + kc * scx;
    const ksy = ka * say + kb * sby + kc * scy;
    for (let y = minY; y <= maxY; y++) {
      const mb = (-ax * (cy - ay) - (cx - ax) * (y - ay)) * inv;
      const mc = ((bx - ax) * (y - ay) + ax * (by - ay)) * inv;
      const ma = 1 - mb - mc;
      const x0 = Math.max(minX, rowFrom(kb, mb), rowFrom(kc, mc), rowFrom(ka, ma));
      const x1 = Math.min(maxX, rowTo(kb, mb), rowTo(kc, mc), rowTo(ka, ma));
      const mz = ma * za + mb * zb + mc * zc;
      const msx = ma * sax + mb * sbx + mc * scx;
      const msy = ma * say + mb * sby + mc * scy;
      const row = y * width;
      for (let x = x0; x <= x1; x++) {
        const wb = kb * x + mb;
        const wc = kc * x + mc;
        const wa = ka * x + ma;
        if (wa < -EDGE_EPS || wb < -EDGE_EPS || wc < -EDGE_EPS) continue;
        const pixel = row + x;
        const z = kz * x + mz;
        if (z >= zBuffer[pixel]) continue;
        const sx = ksx * x + msx;
        const sy = ksy * x + msy;
        if (Math.abs(sx - x) < SNAP_PX && Math.abs(sy - y) < SNAP_PX) {
          // Barely moved: the photo's own pixel, exactly, so still areas stay bit-identical from frame to frame
          // (GIF frame differencing skips them). Outside the hole `out` already holds it.
          const opacity = triangleAlpha ? alpha[pixel] / 255 : 1;
          if (opacity > 0) zBuffer[pixel] = z;
          if (hole[pixel] && opacity > 0) {
            const o = pixel * 3;
            for (let k = 0; k < 3; k++) out[o + k] = out[o + k] + (src.data[o + k] - out[o + k]) * opacity + 0.5;
          }
          continue;
        }
        // Bilinear sample of colour (and opacity unless solid), inline: this is the engine's innermost loop.
        const qx = sx < 0 ? 0 : Math.min(sx, lastX);
        const qy = sy < 0 ? 0 : Math.min(sy, lastY);
        const ix = qx | 0;
        const iy = qy | 0;
        const p00 = iy * width + ix;
        const dx = ix < lastX ? 1 : 0;
        const dy = iy < lastY ? width : 0;
        const fx = qx - ix;
        const fy = qy - iy;
        const w11 = fx * fy;
        const w10 = fx - w11;
        const w01 = fy - w11;
        const w00 = 1 - fx - w01;
        let opacity = 1;
        if (triangleAlpha !== null) {
          opacity = (alpha[p00] * w00 + alpha[p00 + dx] * w10 + alpha[p00 + dy] * w01 + alpha[p00 + dx + dy] * w11) / 255;
          if (opacity <= 0) continue;
        }
        // Any pixel drawn claims its depth, so one shared by two triangles' edges is not blended twice.
        zBuffer[pixel] = z;
        const i00 = p00 * 3;
        const i10 = i00 + dx * 3;
        const i01 = i00 + dy * 3;
        const i11 = i01 + dx * 3;
        const r = data[i00] * w00 + data[i10] * w10 + data[i01] * w01 + data[i11] * w11;
        const g = data[i00 + 1] * w00 + data[i10 + 1] * w10 + data[i01 + 1] * w01 + data[i11 + 1] * w11;
        const b = data[i00 + 2] * w00 + data[i10 + 2] * w10 + data[i01 + 2] * w01 + data[i11 + 2] * w11;
        const o = pixel * 3;
        if (opacity === 1) {
          out[o] = r + 0.5;
          out[o + 1] = g + 0.5;
          out[o + 2] = b + 0.5;
        } else {
          out[o] = out[o] + (r - out[o]) * opacity + 0.5;
          out[o + 1] = out[o + 1] + (g - out[o + 1]) * opacity + 0.5;
          out[o + 2] = out[o + 2] + (b - out[o + 2]) * opacity + 0.5;
        }
      }
    }
  }
}
