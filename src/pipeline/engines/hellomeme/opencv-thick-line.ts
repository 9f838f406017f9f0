// cv2.line for thicknesses above 1 with the default 8-connected line type, pixel for pixel as OpenCV draws it (the
// pose-quad images HelloMeme's control net was trained on): the segment widened to a quadrilateral in 16.16 fixed
// point and scan-filled together with its outline, then a filled disc of radius ⌊thickness/2⌉ on each end.
import type { RgbImage } from '../../types.ts';

const SHIFT = 16;
const ONE = 1 << SHIFT;
const HALF = ONE >> 1;

type Colour = readonly number[];
type Fixed = [number, number];

/** Arithmetic right shift of an integer held in a double (values here exceed 32 bits). */
const shr = (v: number, bits: number): number => Math.floor(v / 2 ** bits);
/** C integer division: truncates toward zero. */
const cdiv = (a: number, b: number): number => Math.trunc(a / b);
/** cvRound: nearest, ties to even. */
function cvRound(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

function hline(img: RgbImage, y: number, x0: number, x1: number, c: Colour): void {
  if (y < 0 || y >= img.height) return;
  const from = Math.max(0, x0);
  const to = Math.min(img.width - 1, x1);
  for (let x = from; x <= to; x++) img.data.set(c, (y * img.width + x) * 3);
}

function plot(img: RgbImage, x: number, y: number, c: Colour): void {
  if (x >= 0 && x < img.width && y >= 0 && y < img.height) img.data.set(c, (y * img.width + x) * 3);
}

/** Cohen–Sutherland clip of a fixed-point segment to [0, w−1]×[0, h−1] (exact integer arithmetic); null if outside. */
function clipSegment(width: number, height: number, a: Fixed, b: Fixed): [Fixed, Fixed] | null {
  const right = BigInt(width - 1);
  const bottom = BigInt(height - 1);
  let [x1, y1, x2, y2] = [BigInt(a[0]), BigInt(a[1]), BigInt(b[0]), BigInt(b[1])];
  const outcode = (x: bigint, y: bigint) => Number(x < 0n) + Number(x > right) * 2 + Number(y < 0n) * 4 + Number(y > bottom) * 8;
  let c1 = outcode(x1, y1);
  let c2 = outcode(x2, y2);
  if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
    if (c1 & 12) {
      const edge = c1 < 8 ? 0n : bottom;
      x1 += ((edge - y1) * (x2 - x1)) / (y2 - y1);
      y1 = edge;
      c1 = outcode(x1, 0n);
    }
    if (c2 & 12) {
      const edge = c2 < 8 ? 0n : bottom;
      x2 += ((edge - y2) * (x2 - x1)) / (y2 - y1);
      y2 = edge;
      c2 = outcode(x2, 0n);
    }
    if ((c1 & c2) === 0 && (c1 | c2) !== 0) {
      if (c1) {
        const edge = c1 === 1 ? 0n : right;
        y1 += ((edge - x1) * (y2 - y1)) / (x2 - x1);
        x1 = edge;
        c1 = 0;
      }
      if (c2) {
        const edge = c2 === 1 ? 0n : right;
        y2 += ((edge - x2) * (y2 - y1)) / (x2 - x1);
        x2 = edge;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) === 0 ? [[Number(x1), Number(y1)], [Number(x2), Number(y2)]] : null;
}

/** A 1-px outline edge between fixed-point points: one pixel per step along the major axis, plus the far end. */
function outlineEdge(img: RgbImage, a: Fixed, b: Fixed, c: Colour): void {
  const clipped = clipSegment(img.width * ONE, img.height * ONE, a, b);
  if (!clipped) return;
  let [[x1, y1], [x2, y2]] = clipped;
  const xMajor = Math.abs(x2 - x1) > Math.abs(y2 - y1);
  // Walk in increasing order of the major axis.
  if ((xMajor && x2 < x1) || (!xMajor && y2 < y1)) [x1, y1, x2, y2] = [x2, y2, x1, y1];
  const odd = (v: number) => (v % 2 === 0 ? v + 1 : v);
  plot(img, shr(x2 + HALF, SHIFT), shr(y2 + HALF, SHIFT), c);
  if (xMajor) {
    const step = cdiv((y2 - y1) * ONE, odd(x2 - x1));
    let y = y1 + HALF;
    for (let x = shr(x1 + HALF, SHIFT), n = shr(x2 - x1, SHIFT); n >= 0; n--, x++, y += step) plot(img, x, shr(y, SHIFT), c);
  } else {
    const step = cdiv((x2 - x1) * ONE, odd(y2 - y1));
    let x = x1 + HALF;
    for (let y = shr(y1 + HALF, SHIFT), n = shr(y2 - y1, SHIFT); n >= 0; n--, y++, x += step) plot(img, shr(x, SHIFT), y, c);
  }
}

/** Scan fill of a convex polygon in 16.16 fixed point, outline included (FillConvexPoly, 8-connected). */
function fillConvex(img: RgbImage, v: readonly Fixed[], c: Colour): void {
  const n = v.length;
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (v[i][1] < v[top][1]) top = i;
    outlineEdge(img, v[(i + n - 1) % n], v[i], c);
  }
  const xs = v.map((p) => shr(p[0] + HALF, SHIFT));
  const ys = v.map((p) => shr(p[1] + HALF, SHIFT));
  const yTop = ys[top];
  const yBottom = Math.min(Math.max(...ys), img.height - 1);
  if (Math.max(...xs) < 0 || Math.max(...ys) < 0 || Math.min(...xs) >= img.width || yTop >= img.height) return;
  // Two walkers leave the top vertex, one forwards and one backwards round the polygon.
  const edges = [
    { idx: top, dir: 1, x: -ONE, dx: 0, yEnd: yTop },
    { idx: top, dir: n - 1, x: -ONE, dx: 0, yEnd: yTop },
  ];
  let budget = n;
  for (let y = yTop; y <= yBottom; y++) {
    for (const e of edges) {
      if (y < e.yEnd) continue;
      let from = e.idx;
      let to = (from + e.dir) % n;
      while (budget-- > 0) {
        const yTo = shr(v[to][1] + HALF, SHIFT);
        if (yTo > y) {
          e.yEnd = yTo;
          e.dx = cdiv((v[to][0] - v[from][0]) * 2 + (yTo - y), 2 * (yTo - y));
          e.x = v[from][0];
          e.idx = to;
          break;
        }
        from = to;
        to = (to + e.dir) % n;
      }
    }
    if (budget < 0) break;
    if (y >= 0) {
      const [left, right] = edges[0].x > edges[1].x ? [edges[1], edges[0]] : [edges[0], edges[1]];
      hline(img, y, shr(left.x + HALF, SHIFT), shr(right.x + HALF, SHIFT), c);
    }
    edges[0].x += edges[0].dx;
    edges[1].x += edges[1].dx;
  }
}

/** Filled Bresenham disc (OpenCV's Circle with fill). */
function fillDisc(img: RgbImage, cx: number, cy: number, radius: number, c: Colour): void {
  let err = 0;
  let dx = radius;
  let dy = 0;
  let plus = 1;
  let minus = (radius << 1) - 1;
  while (dx >= dy) {
    if (cx - dx < img.width && cx + dx >= 0 && cy - dx < img.height && cy + dx >= 0) {
      hline(img, cy - dy, cx - dx, cx + dx, c);
      hline(img, cy + dy, cx - dx, cx + dx, c);
      if (cx - dy < img.width && cx + dy >= 0) {
        hline(img, cy - dx, cx - dy, cx + dy, c);
        hline(img, cy + dx, cx - dy, cx + dy, c);
      }
    }
    dy++;
    err += plus;
    plus += 2;
    if (err > 0) {
      err -= minus;
      dx--;
      minus -= 2;
    }
  }
}

/** cv2.line(img, a, b, colour, thickness) with integer end points and thickness ≥ 2 (LINE_8, shift 0). */
export function drawOpenCvThickLine(img: RgbImage, a: readonly number[], b: readonly number[], colour: Colour, thickness: number): void {
  const p0: Fixed = [a[0] * ONE, a[1] * ONE];
  const p1: Fixed = [b[0] * ONE, b[1] * ONE];
  const dx = a[0] - b[0];
  const dy = b[1] - a[1];
  const lengthSq = dx * dx + dy * dy;
  const halfWidth = thickness * (ONE >> 1) + (thickness & 1) * HALF; // fixed point, rounded up for odd widths
  if (lengthSq > Number.EPSILON) {
    const r = halfWidth / Math.sqrt(lengthSq);
    const n: Fixed = [cvRound(dy * r), cvRound(dx * r)];
    fillConvex(img, [[p0[0] + n[0], p0[1] + n[1]], [p0[0] - n[0], p0[1] - n[1]], [p1[0] - n[0], p1[1] - n[1]], [p1[0] + n[0], p1[1] + n[1]]], colour);
  }
  const radius = shr(thickness * (ONE >> 1) + HALF, SHIFT);
  fillDisc(img, a[0], a[1], radius, colour);
  fillDisc(img, b[0], b[1], radius, colour);
}
