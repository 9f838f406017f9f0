// The face's own triangulation for the warp: the landmark model's surface triangles, a strip closing the
// mouth opening, the eye openings re-triangulated around the irises, and Delaunay triangles joining the face
// oval to the vertices around it. Topology only; where the vertices go is warp-mesh.ts's business.
import Delaunator from 'delaunator';
import { FACE_OVAL, INNER_LIP_LOWER, INNER_LIP_UPPER, LEFT_EYE, MESH_POINTS, RIGHT_EYE } from '../../motion/face-regions.ts';

/** Triangles closing the mouth opening (the face mesh leaves it open): a strip between the inner lips. */
function mouthStrip(): number[] {
  const [upper, lower] = [INNER_LIP_UPPER, INNER_LIP_LOWER];
  const triangles: number[] = [];
  for (let k = 0; k + 1 < upper.length; k++) {
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
 * Delaunay over the oval and the vertices outside it (`source` from `faceCount` on) fills the rest. Its
 * triangles across the face (oval points only) come last, from `fillerStart` on: they only fill gaps the
 * folded surface leaves (a plane through the oval cuts through a turned face, so they cannot take part in the
 * depth test). Without the model's triangles, Delaunay over everything.
 */
export function triangulate(source: Float32Array, faceCount: number, faceTriangles?: ArrayLike<number>): { triangles: Uint32Array; fillerStart: number } {
  if (!faceTriangles) {
    const triangles = Uint32Array.from(new Delaunator(Float64Array.from(source)).triangles);
    return { triangles, fillerStart: triangles.length / 3 };
  }
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
  const fillers: number[] = [];
  for (let t = 0; t < outer.length; t += 3) {
    const ids = [outer[t], outer[t + 1], outer[t + 2]];
    (ids.every((k) => k < FACE_OVAL.length) ? fillers : triangles).push(...ids.map((k) => outerIds[k]));
  }
  const fillerStart = triangles.length / 3;
  return { triangles: Uint32Array.from([...triangles, ...fillers]), fillerStart };
}

