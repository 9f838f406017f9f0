// Turns one human FaceResult (in detection-image pixels) into our Face (in original-image pixels).
// Pure conversion: no model calls; the coordinate mapping is given by the caller.
import { pointBounds } from '../point-bounds.ts';
import type { Box, Face } from '../types.ts';
import { headPoseFromLandmarks } from './head-pose.ts';

export const MESH_POINT_COUNT = 478;
/** facemesh.json runs on a 192×192 crop; its raw z is in that crop's pixels. */
const MESH_INPUT_PX = 192;

/** How detection-image pixels map to original-image pixels: original = detection * scale + offset. */
export interface CoordinateMap {
  scale: number;
  offsetX: number;
  offsetY: number;
  /** Original image size, to clamp the box. */
  width: number;
  height: number;
}

/** The fields of human's FaceResult we read (kept structural so tests can build one). */
interface MeshFace {
  boxScore: number;
  /** Crop box normalised to the detection image: [x, y, w, h]; w × detection width is the mesh crop size. */
  boxRaw: [number, number, number, number];
  mesh: [number, number, number?][];
}

/** Tight box around the landmarks, clamped to the image. */
export function landmarkBox(landmarks: Float32Array, width: number, height: number): Box {
  const { minX, minY, maxX, maxY } = pointBounds(landmarks, 3);
  const x = Math.max(0, Math.min(width, minX));
  const y = Math.max(0, Math.min(height, minY));
  return {
    x,
    y,
    width: Math.max(0, Math.min(width, maxX) - x),
    height: Math.max(0, Math.min(height, maxY) - y),
  };
}

/** Converts a mesh face, or returns null when it lacks the 478 points (mesh or iris missing). */
export function toFace(result: MeshFace, detectionWidth: number, map: CoordinateMap): Face | null {
  if (result.mesh.length !== MESH_POINT_COUNT) return null;
  // human gives x/y in detection pixels but leaves z in mesh-crop units: rescale z to the same pixels
  const zScale = (result.boxRaw[2] * detectionWidth) / MESH_INPUT_PX;
  const landmarks = new Float32Array(MESH_POINT_COUNT * 3);
  for (let i = 0; i < MESH_POINT_COUNT; i++) {
    const [x, y, z = 0] = result.mesh[i];
    landmarks[i * 3] = x * map.scale + map.offsetX;
    landmarks[i * 3 + 1] = y * map.scale + map.offsetY;
    landmarks[i * 3 + 2] = z * zScale * map.scale;
  }
  return {
    box: landmarkBox(landmarks, map.width, map.height),
    score: result.boxScore,
    landmarks,
    pose: headPoseFromLandmarks(landmarks),
  };
}

/** Largest box area first; ties keep the higher score first. */
export function byLargestBox(a: Face, b: Face): number {
  const areaDiff = b.box.width * b.box.height - a.box.width * a.box.height;
  return areaDiff !== 0 ? areaDiff : b.score - a.score;
}
