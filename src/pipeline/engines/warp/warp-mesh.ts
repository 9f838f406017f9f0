// The warp mesh of one photo: face landmarks, a head ring that follows the head's rigid motion (hair, ears,
// chin), an outer ring and the image border that stay put, all triangulated once (Delaunay) on the photo.
import Delaunator from 'delaunator';
import { FACE_OVAL, INNER_LIPS, LEFT_EYE, MESH_POINTS, RIGHT_EYE } from '../../motion/face-regions.ts';
import type { MotionFrame } from '../../motion/motion-track.ts';
import type { PhotoFaceGeometry } from '../../motion/retarget.ts';
import { rotate3 } from '../../motion/rigid-fit.ts';
import type { WarpMesh } from './rasterize-triangles.ts';

/** How far out the rings sit, as multiples of the centre→oval distance. */
const HEAD_RING_SCALE = 1.35;
const OUTER_RING_SCALE = 2.3;
/** Share of the head's rigid motion that the head ring follows (hair and neck lag a little). */
const HEAD_RING_FOLLOW = 0.85;
const BORDER_STEPS = 4;

export interface PhotoWarpMesh extends WarpMesh {
  faceCount: number;
  /** Head-ring vertices occupy [faceCount, faceCount + headRing.length / 3). */
  headRing: Float32Array;
  vertexCount: number;
  /** Depth given to vertices that never move: far behind the face. */
  backgroundDepth: number;
}

function ringAround(photo: PhotoFaceGeometry, scale: number): Float32Array {
  const { landmarks, centre } = photo;
  const ring = new Float32Array(FACE_OVAL.length * 3);
  FACE_OVAL.forEach((i, k) => {
    ring[k * 3] = centre[0] + (landmarks[i * 3] - centre[0]) * scale;
    ring[k * 3 + 1] = centre[1] + (landmarks[i * 3 + 1] - centre[1]) * scale;
    ring[k * 3 + 2] = landmarks[i * 3 + 2]; // the ring turns with the oval it extends
  });
  return ring;
}

function borderPoints(width: number, height: number): number[] {
  const points: number[] = [];
  for (let k = 0; k < BORDER_STEPS; k++) {
    const f = k / BORDER_STEPS;
    points.push(f * (width - 1), 0, width - 1, f * (height - 1), (1 - f) * (width - 1), height - 1, 0, (1 - f) * (height - 1));
  }
  return points;
}

/** Triangles closing the mouth opening (the face mesh leaves it open): a strip between the inner lips. */
export function mouthStrip(): number[] {
  const half = INNER_LIPS.length / 2;
  const upper = INNER_LIPS.slice(0, half + 1); // corner → corner along the upper lip
  const lower = [INNER_LIPS[0], ...INNER_LIPS.slice(half).reverse()]; // the same corners along the lower lip
  const triangles: number[] = [];
  for (let k = 0; k < half; k++) {
    if (upper[k] !== lower[k]) triangles.push(upper[k], upper[k + 1], lower[k]);
    if (upper[k + 1] !== lower[k + 1]) triangles.push(lower[k], upper[k + 1], lower[k + 1]);
  }
  return triangles;
}

const IRIS_POINTS = 5;
/** The iris landmarks (centre + 4 rim points) come after the 468 mesh points, one eye's five at a time. */
function irisNearest(source: Float32Array, eye: readonly number[]): number[] {
  const centre = (ids: readonly number[], axis: number) => ids.reduce((sum, i) => sum + source[i * 2 + axis], 0) / ids.length;
  const [ex, ey] = [centre(eye, 0), centre(eye, 1)];
  const groups = [0, 1].map((k) => Array.from({ length: IRIS_POINTS }, (_, j) => MESH_POINTS - 2 * IRIS_POINTS + k * IRIS_POINTS + j));
  const distance = (ids: number[]) => Math.hypot(centre(ids, 0) - ex, centre(ids, 1) - ey);
  return distance(groups[0]) < distance(groups[1]) ? groups[0] : groups[1];
}

function insideContour(source: Float32Array, contour: readonly number[], x: number, y: number): boolean {
  let inside = false;
  for (let k = 0, j = contour.length - 1; k < contour.length; j = k++) {
    const xi = source[contour[k] * 2], yi = source[contour[k] * 2 + 1], xj = source[contour[j] * 2], yj = source[contour[j] * 2 + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The eye opening re-triangulated with the iris landmarks inside it, so the driver's gaze moves the iris
 * (the face mesh alone spans the eye with lid-to-lid triangles and ignores the iris points).
 */
function eyeWithIris(source: Float32Array, eye: readonly number[]): number[] {
  const ids = [...eye, ...irisNearest(source, eye)];
  const local = new Delaunator(Float64Array.from(ids.flatMap((v) => [source[v * 2], source[v * 2 + 1]]))).triangles;
  const triangles: number[] = [];
  for (let t = 0; t < local.length; t += 3) {
    const [a, b, c] = [ids[local[t]], ids[local[t + 1]], ids[local[t + 2]]];
    const cx = (source[a * 2] + source[b * 2] + source[c * 2]) / 3;
    const cy = (source[a * 2 + 1] + source[b * 2 + 1] + source[c * 2 + 1]) / 3;
    if (insideContour(source, eye, cx, cy)) triangles.push(a, b, c);
  }
  return triangles;
}

/**
 * With the landmark model's own surface triangles the face folds like a surface when the head turns.
 * Delaunay over the oval, rings and border fills the rest; its triangles across the face lie deeper than
 * the face surface, so they only show through gaps the folded surface leaves.
 */
function triangulate(source: Float32Array, faceCount: number, faceTriangles?: ArrayLike<number>): Uint32Array {
  if (!faceTriangles) return Uint32Array.from(new Delaunator(Float64Array.from(source)).triangles);
  const outerIds = [...FACE_OVAL, ...Array.from({ length: source.length / 2 - faceCount }, (_, k) => faceCount + k)];
  const coords = Float64Array.from(outerIds.flatMap((v) => [source[v * 2], source[v * 2 + 1]]));
  const outer = new Delaunator(coords).triangles;
  const eyes = faceCount >= MESH_POINTS ? [LEFT_EYE, RIGHT_EYE] : [];
  const inEye = (a: number, b: number, c: number) => eyes.some((eye) => eye.includes(a) && eye.includes(b) && eye.includes(c));
  const triangles: number[] = [];
  for (let t = 0; t < faceTriangles.length; t += 3) {
    const [a, b, c] = [faceTriangles[t], faceTriangles[t + 1], faceTriangles[t + 2]];
    if (!inEye(a, b, c)) triangles.push(a, b, c);
  }
  triangles.push(...mouthStrip());
  for (const eye of eyes) triangles.push(...eyeWithIris(source, eye));
  for (const v of outer) triangles.push(outerIds[v]);
  return Uint32Array.from(triangles);
}

export function buildPhotoWarpMesh(photo: PhotoFaceGeometry, width: number, height: number, faceTriangles?: ArrayLike<number>): PhotoWarpMesh {
  const faceCount = photo.landmarks.length / 3;
  const headRing = ringAround(photo, HEAD_RING_SCALE);
  const outerRing = ringAround(photo, OUTER_RING_SCALE);
  // Outer-ring points past the edge are pulled onto it, so the band between face and border stays pinned.
  const fixed = borderPoints(width, height);
  const seen = new Set<string>();
  for (let k = 0; k < outerRing.length; k += 3) {
    const x = Math.round(Math.min(width - 1, Math.max(0, outerRing[k])));
    const y = Math.round(Math.min(height - 1, Math.max(0, outerRing[k + 1])));
    if (!seen.has(`${x},${y}`)) fixed.push(x, y);
    seen.add(`${x},${y}`);
  }

  const vertexCount = faceCount + headRing.length / 3 + fixed.length / 2;
  const source = new Float32Array(vertexCount * 2);
  for (let j = 0; j < faceCount; j++) {
    source[j * 2] = photo.landmarks[j * 3];
    source[j * 2 + 1] = photo.landmarks[j * 3 + 1];
  }
  for (let k = 0; k < headRing.length / 3; k++) {
    source[(faceCount + k) * 2] = headRing[k * 3];
    source[(faceCount + k) * 2 + 1] = headRing[k * 3 + 1];
  }
  source.set(fixed, (faceCount + headRing.length / 3) * 2);
  const triangles = triangulate(source, faceCount, faceTriangles);
  return { source, triangles, faceCount, headRing, vertexCount, backgroundDepth: photo.centre[2] + photo.size * 4 };
}

/**
 * Destination vertex positions and depths for one frame, given the retargeted face landmarks.
 * The head ring follows the frame's rigid head motion; everything else keeps its source position.
 */
export function destinationVertices(mesh: PhotoWarpMesh, photo: PhotoFaceGeometry, target: Float32Array, frame: MotionFrame, outXY: Float32Array, outDepth: Float32Array): void {
  const { faceCount, headRing } = mesh;
  for (let j = 0; j < faceCount; j++) {
    outXY[j * 2] = target[j * 3];
    outXY[j * 2 + 1] = target[j * 3 + 1];
    outDepth[j] = target[j * 3 + 2];
  }
  const { centre, size } = photo;
  for (let k = 0; k < headRing.length / 3; k++) {
    const [rx, ry, rz] = rotate3(frame.rotation, headRing[k * 3] - centre[0], headRing[k * 3 + 1] - centre[1], headRing[k * 3 + 2] - centre[2]);
    const movedX = frame.scale * rx + centre[0] + frame.translation[0] * size;
    const movedY = frame.scale * ry + centre[1] + frame.translation[1] * size;
    const v = faceCount + k;
    outXY[v * 2] = headRing[k * 3] + (movedX - headRing[k * 3]) * HEAD_RING_FOLLOW;
    outXY[v * 2 + 1] = headRing[k * 3 + 1] + (movedY - headRing[k * 3 + 1]) * HEAD_RING_FOLLOW;
    outDepth[v] = centre[2] + rz + size; // behind the face surface it surrounds
  }
  for (let v = faceCount + headRing.length / 3; v < mesh.vertexCount; v++) {
    outXY[v * 2] = mesh.source[v * 2];
    outXY[v * 2 + 1] = mesh.source[v * 2 + 1];
    outDepth[v] = mesh.backgroundDepth;
  }
}
