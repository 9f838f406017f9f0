// The warp mesh of one photo: the face landmarks plus a grid over the rest of the picture, triangulated once.
// Face vertices go where the retargeted landmarks go; each grid vertex follows the head's rigid motion (fitted
// each frame to how the face moved) by its head share (head-regions.ts), plus, near the face, the expression
// of the nearest face-oval point. Face, hair, neck and body thus move as one continuous sheet (no seam at the
// hairline, no torn hair) while shoulders, body and the picture's border stay put.
import { FACE_OVAL, RIGID_POINTS } from '../../motion/face-regions.ts';
import { fitSimilarity3 } from '../../motion/rigid-fit.ts';
import { triangulate } from './face-triangles.ts';
import { stillBorderWidth } from '../../still-border.ts';
import { borderMargin, borderPin, type HeadFrame, headShare } from './head-regions.ts';
import type { WarpMesh } from './rasterize-triangles.ts';

/** Grid spacing in face heights (clamped to GRID_MIN_PX..GRID_MAX_PX). */
const GRID_STEP = 1 / 8;
const GRID_MIN_PX = 10;
const GRID_MAX_PX = 48;
/** How far (in face heights) the oval's expression (an opening jaw) carries into the neck and hair around it. */
const EXPRESSION_REACH = 0.3;

export interface PhotoWarpMesh extends WarpMesh {
  /** The picture's size. */
  width: number;
  height: number;
  faceCount: number;
  vertexCount: number;
  /** Per vertex: share of the head's motion it follows (0 at the border). */
  share: Float32Array;
  /** Per vertex: depth in the photo (smaller = nearer); face vertices their landmark z, others a head model. */
  depth: Float32Array;
  /** Per grid vertex (vertex − faceCount): position in FACE_OVAL of its nearest oval landmark. */
  ovalNear: Uint8Array;
  /** Per grid vertex: how much of that landmark's expression displacement it takes. */
  ovalPull: Float32Array;
}

/** Grid lines from 0 to size − 1 about `step` apart, with the still band's (`band` px) inner edges among them. */
function gridStops(size: number, step: number, band: number): number[] {
  const inner = size - 1 - 2 * band;
  if (inner <= step) return [0, size - 1];
  const count = Math.max(1, Math.round(inner / step));
  return [0, ...Array.from({ length: count + 1 }, (_, k) => band + (inner * k) / count), size - 1];
}

/** Distance from (x, y) to the oval polyline, and whether the point lies inside it. */
function ovalDistance(ox: number[], oy: number[], x: number, y: number): { distance: number; inside: boolean; nearest: number } {
  let best = Number.POSITIVE_INFINITY;
  let nearest = 0;
  let inside = false;
  for (let k = 0, j = ox.length - 1; k < ox.length; j = k++) {
    if (oy[k] > y !== oy[j] > y && x < ((ox[j] - ox[k]) * (y - oy[k])) / (oy[j] - oy[k]) + ox[k]) inside = !inside;
    const ex = ox[k] - ox[j], ey = oy[k] - oy[j];
    const t = Math.max(0, Math.min(1, ((x - ox[j]) * ex + (y - oy[j]) * ey) / (ex * ex + ey * ey || 1)));
    const d = Math.hypot(ox[j] + t * ex - x, oy[j] + t * ey - y);
    if (d < best) [best, nearest] = [d, t < 0.5 ? j : k];
  }
  return { distance: best, inside, nearest };
}

/**
 * Depth of a point `distance` px outside the oval, next to oval landmark depth `ovalZ`: from the face's edge the
 * head curves back to its silhouette plane (the ears' depth) over one head radius; the body lies behind it.
 */
function pointDepth(head: HeadFrame, ovalZ: number, distance: number, share: number): number {
  const silhouette = head.middle[2];
  const onHead = ovalZ < silhouette ? ovalZ + (silhouette - ovalZ) * Math.min(1, distance / head.halfWidth) : ovalZ;
  const body = silhouette + head.halfWidth;
  return body + (onHead - body) * share;
}

export function buildPhotoWarpMesh(landmarks: Float32Array, head: HeadFrame, width: number, height: number, faceTriangles?: ArrayLike<number>): PhotoWarpMesh {
  const faceCount = landmarks.length / 3;
  const margin = borderMargin(head, width, height);
  const band = stillBorderWidth(width, height);
  const step = Math.min(GRID_MAX_PX, Math.max(GRID_MIN_PX, Math.round(head.height * GRID_STEP)));
  const ox = FACE_OVAL.map((i) => landmarks[i * 3]);
  const oy = FACE_OVAL.map((i) => landmarks[i * 3 + 1]);
  const grid: { x: number; y: number; distance: number; nearest: number }[] = [];
  for (const y of gridStops(height, step, band)) {
    for (const x of gridStops(width, step, band)) {
      const { distance, inside, nearest } = ovalDistance(ox, oy, x, y);
      if (!inside && distance >= step / 2) grid.push({ x, y, distance, nearest });
    }
  }
  const vertexCount = faceCount + grid.length;
  const source = new Float32Array(vertexCount * 2);
  const share = new Float32Array(vertexCount);
  const depth = new Float32Array(vertexCount);
  for (let j = 0; j < faceCount; j++) {
    const [x, y] = [landmarks[j * 3], landmarks[j * 3 + 1]];
    source.set([x, y], j * 2);
    share[j] = borderPin(x, y, width, height, margin);
    depth[j] = landmarks[j * 3 + 2];
  }
  const ovalNear = new Uint8Array(grid.length);
  const ovalPull = new Float32Array(grid.length);
  grid.forEach(({ x, y, distance, nearest }, k) => {
    const v = faceCount + k;
    source.set([x, y], v * 2);
    share[v] = headShare(head, x, y) * borderPin(x, y, width, height, margin);
    depth[v] = pointDepth(head, landmarks[FACE_OVAL[nearest] * 3 + 2], distance, share[v]);
    ovalNear[k] = nearest;
    ovalPull[k] = Math.exp(-((distance / (EXPRESSION_REACH * head.height)) ** 2));
  });
  const { triangles, fillerStart } = triangulate(source, faceCount, faceTriangles);
  return { width, height, source, triangles, fillerStart, faceCount, vertexCount, share, depth, ovalNear, ovalPull };
}

/**
 * Destination positions and depths of every vertex for one frame, given the photo's landmarks and their
 * retargeted positions (both xyz). The head's rigid motion is the similarity that best maps the photo's rigid
 * points onto the target's, so the grid agrees with whatever the retargeting did to the face.
 */
export function destinationVertices(mesh: PhotoWarpMesh, landmarks: Float32Array, target: Float32Array, outXY: Float32Array, outDepth: Float32Array): void {
  const { width, height } = mesh;
  const { faceCount, share, depth, source } = mesh;
  for (let j = 0; j < faceCount; j++) {
    const s = share[j];
    outXY[j * 2] = landmarks[j * 3] + (target[j * 3] - landmarks[j * 3]) * s;
    outXY[j * 2 + 1] = landmarks[j * 3 + 1] + (target[j * 3 + 1] - landmarks[j * 3 + 1]) * s;
    outDepth[j] = target[j * 3 + 2];
  }
  const fit = fitSimilarity3(landmarks, target, RIGID_POINTS);
  const [sx, sy, sz] = fit.sourceCentroid;
  const [tx, ty, tz] = fit.targetCentroid;
  // The similarity as x' = M·(p − source centroid) + target centroid, written out: no arrays per vertex.
  const r = fit.rotation;
  const k = fit.scale;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = [k * r[0], k * r[1], k * r[2], k * r[3], k * r[4], k * r[5], k * r[6], k * r[7], k * r[8]];
  // What expression adds to each oval point on top of the rigid motion (an opening jaw, puffed cheeks).
  const expression = new Float32Array(FACE_OVAL.length * 3);
  FACE_OVAL.forEach((i, o) => {
    const [x, y, z] = [landmarks[i * 3] - sx, landmarks[i * 3 + 1] - sy, landmarks[i * 3 + 2] - sz];
    expression[o * 3] = target[i * 3] - (m0 * x + m1 * y + m2 * z + tx);
    expression[o * 3 + 1] = target[i * 3 + 1] - (m3 * x + m4 * y + m5 * z + ty);
    expression[o * 3 + 2] = target[i * 3 + 2] - (m6 * x + m7 * y + m8 * z + tz);
  });
  for (let v = faceCount; v < mesh.vertexCount; v++) {
    const s = share[v];
    const x = source[v * 2];
    const y = source[v * 2 + 1];
    const z = depth[v];
    if (s <= 0) {
      outXY[v * 2] = x;
      outXY[v * 2 + 1] = y;
      outDepth[v] = z;
      continue;
    }
    const g = v - faceCount;
    const pull = mesh.ovalPull[g];
    const e = mesh.ovalNear[g] * 3;
    const dx = x - sx;
    const dy = y - sy;
    const dz = z - sz;
    outXY[v * 2] = x + (m0 * dx + m1 * dy + m2 * dz + tx + pull * expression[e] - x) * s;
    outXY[v * 2 + 1] = y + (m3 * dx + m4 * dy + m5 * dz + ty + pull * expression[e + 1] - y) * s;
    outDepth[v] = z + (m6 * dx + m7 * dy + m8 * dz + tz + pull * expression[e + 2] - z) * s;
  }
  keepOffBorder(mesh, outXY, width, height);
}

/** Within this many pixels of the still band, a vertex moving towards it is eased (easeTowardsBand). */
const EASE_PX = 16;

/**
 * Where a vertex `from` px clear of the still band, moved to `to` px clear of it, ends up: as moved while it
 * stays EASE_PX clear (or as clear as it started); closer, the rest of the way is eased so it nears the band but
 * never gets there (knee · e^((to − knee) / knee): same place and slope at the knee, above 0 always).
 */
function easeTowardsBand(from: number, to: number): number {
  const knee = Math.min(from, EASE_PX);
  if (to >= knee) return to;
  if (knee <= 0) return Math.max(0, to);
  return knee * Math.exp((to - knee) / knee);
}

/**
 * Vertices starting inside the still band's inner edge stay inside it: hair, neck and body moving towards the
 * picture's edge slow and squeeze against it (eased, see easeTowardsBand) instead of folding over the band, which
 * must show the photo untouched. Clamped hard, hair pressed against the band was cut off along a straight line.
 */
function keepOffBorder(mesh: PhotoWarpMesh, outXY: Float32Array, width: number, height: number): void {
  const band = stillBorderWidth(width, height);
  const [hiX, hiY] = [width - 1 - band, height - 1 - band];
  for (let v = 0; v < mesh.vertexCount; v++) {
    const sx = mesh.source[v * 2];
    const sy = mesh.source[v * 2 + 1];
    if (v < mesh.faceCount) {
      // The face itself is kept inside the picture by the motion (keep-in-frame.ts): only stopped at the band.
      if (sx >= band && sx <= hiX) outXY[v * 2] = Math.min(hiX, Math.max(band, outXY[v * 2]));
      if (sy >= band && sy <= hiY) outXY[v * 2 + 1] = Math.min(hiY, Math.max(band, outXY[v * 2 + 1]));
      continue;
    }
    if (sx >= band && sx <= hiX) {
      const x = outXY[v * 2];
      outXY[v * 2] = x < sx ? band + easeTowardsBand(sx - band, x - band) : hiX - easeTowardsBand(hiX - sx, hiX - x);
    }
    if (sy >= band && sy <= hiY) {
      const y = outXY[v * 2 + 1];
      outXY[v * 2 + 1] = y < sy ? band + easeTowardsBand(sy - band, y - band) : hiY - easeTowardsBand(hiY - sy, hiY - y);
    }
  }
}
