// Best similarity transform between two 3-D point sets (Horn's closed form with unit quaternions):
// target ≈ scale · R · (source − sourceCentroid) + targetCentroid. Pure math over Float32Arrays.

interface Similarity3 {
  /** Row-major 3×3 rotation. */
  rotation: Float64Array;
  scale: number;
  sourceCentroid: [number, number, number];
  targetCentroid: [number, number, number];
}

/** Mean of the listed points (all when `indices` is omitted) of a packed xyz array. */
export function centroid3(points: Float32Array, indices?: ArrayLike<number>): [number, number, number] {
  const count = indices ? indices.length : points.length / 3;
  let x = 0;
  let y = 0;
  let z = 0;
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    x += points[i * 3];
    y += points[i * 3 + 1];
    z += points[i * 3 + 2];
  }
  return [x / count, y / count, z / count];
}

/** Eigenvector of the largest eigenvalue of a symmetric 4×4 matrix (cyclic Jacobi rotations). */
function dominantEigenvector4(m: Float64Array): Float64Array {
  const a = Float64Array.from(m);
  const v = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[p * 4 + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[p * 4 + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * 4 + q] - a[p * 4 + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k * 4 + p];
          const akq = a[k * 4 + q];
          a[k * 4 + p] = c * akp - s * akq;
          a[k * 4 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p * 4 + k];
          const aqk = a[q * 4 + k];
          a[p * 4 + k] = c * apk - s * aqk;
          a[q * 4 + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k * 4 + p];
          const vkq = v[k * 4 + q];
          v[k * 4 + p] = c * vkp - s * vkq;
          v[k * 4 + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if (a[i * 4 + i] > a[best * 4 + best]) best = i;
  return new Float64Array([v[best], v[4 + best], v[8 + best], v[12 + best]]);
}

function quaternionToMatrix([w, x, y, z]: Float64Array): Float64Array {
  return new Float64Array([
    w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z,
  ]);
}

/** Fits target ≈ s·R·(source − cs) + ct over the listed landmark indices (all when omitted). */
export function fitSimilarity3(source: Float32Array, target: Float32Array, indices?: ArrayLike<number>): Similarity3 {
  const cs = centroid3(source, indices);
  const ct = centroid3(target, indices);
  const count = indices ? indices.length : source.length / 3;
  const s = new Float64Array(9); // cross-covariance Σ (a_i)(b_i)^T
  let sourceNorm = 0;
  let targetNorm = 0;
  for (let k = 0; k < count; k++) {
    const i = indices ? indices[k] : k;
    const a = [source[i * 3] - cs[0], source[i * 3 + 1] - cs[1], source[i * 3 + 2] - cs[2]];
    const b = [target[i * 3] - ct[0], target[i * 3 + 1] - ct[1], target[i * 3 + 2] - ct[2]];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) s[r * 3 + c] += a[r] * b[c];
    sourceNorm += a[0] * a[0] + a[1] * a[1] + a[2] * a[2];
    targetNorm += b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
  }
  const [sxx, sxy, sxz, syx, syy, syz, szx, szy, szz] = s;
  const n = new Float64Array([
    sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
    syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
    szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
    sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
  ]);
  const rotation = quaternionToMatrix(dominantEigenvector4(n));
  // Symmetric scale (Horn): independent of which set is called source.
  const scale = sourceNorm > 0 ? Math.sqrt(targetNorm / sourceNorm) : 1;
  return { rotation, scale, sourceCentroid: cs, targetCentroid: ct };
}

/** out = R·v for a row-major 3×3 R. */
export function rotate3(r: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  return [r[0] * x + r[1] * y + r[2] * z, r[3] * x + r[4] * y + r[5] * z, r[6] * x + r[7] * y + r[8] * z];
}

/** out = Rᵀ·v (the inverse rotation). */
export function rotate3Transposed(r: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  return [r[0] * x + r[3] * y + r[6] * z, r[1] * x + r[4] * y + r[7] * z, r[2] * x + r[5] * y + r[8] * z];
}

/** Euler angles in degrees (yaw about y, pitch about x, roll about z; R = Rz·Ry·Rx) of a rotation. */
export function rotationToEulerDeg(r: ArrayLike<number>): { yaw: number; pitch: number; roll: number } {
  const toDeg = 180 / Math.PI;
  const yaw = Math.asin(Math.max(-1, Math.min(1, -r[6])));
  const pitch = Math.atan2(r[7], r[8]);
  const roll = Math.atan2(r[3], r[0]);
  return { yaw: yaw * toDeg, pitch: pitch * toDeg, roll: roll * toDeg };
}

export function eulerDegToRotation(yawDeg: number, pitchDeg: number, rollDeg: number): Float64Array {
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180);
  const cy = Math.cos(y), sy = Math.sin(y), cp = Math.cos(p), sp = Math.sin(p), cr = Math.cos(r), sr = Math.sin(r);
  // Rz(roll) · Ry(yaw) · Rx(pitch)
  return new Float64Array([
    cr * cy, cr * sy * sp - sr * cp, cr * sy * cp + sr * sp,
    sr * cy, sr * sy * sp + cr * cp, sr * sy * cp - cr * sp,
    -sy, cy * sp, cy * cp,
  ]);
}
