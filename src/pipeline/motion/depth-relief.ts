// Softens the face mesh's local depth relief before the head is turned. MediaPipe's depth is right for the head
// as a whole (a turn narrows the far cheek and widens the near one), but the relief of brow, eye sockets and
// nose makes a warped photo fold over itself when the head turns far: the brow slides over the eye and shows
// stretched brow skin where the eye should be, since a photo holds no texture for what a turn uncovers. The
// depth is split into a smooth surface (a quadratic in x, y fitted to all points) and the relief around it,
// and only part of the relief is kept.

/** Share of the local relief kept (1 = MediaPipe's depth as it is). */
const RELIEF_KEPT = 0.45;

/** Solves the 6×6 normal equations by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    const d = a[col * n + col] || 1e-12;
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] / d;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r];
    for (let c = r + 1; c < n; c++) sum -= a[r * n + c] * x[c];
    x[r] = sum / (a[r * n + r] || 1e-12);
  }
  return x;
}

/** A copy of the landmarks (xyz) whose depth keeps the smooth head shape and RELIEF_KEPT of the relief. */
export function softenDepthRelief(landmarks: Float32Array, centre: readonly number[], size: number): Float32Array {
  const count = landmarks.length / 3;
  const terms = (x: number, y: number) => [1, x, y, x * x, x * y, y * y];
  const ata = new Float64Array(36);
  const atz = new Float64Array(6);
  for (let j = 0; j < count; j++) {
    const t = terms((landmarks[j * 3] - centre[0]) / size, (landmarks[j * 3 + 1] - centre[1]) / size);
    for (let r = 0; r < 6; r++) {
      atz[r] += t[r] * landmarks[j * 3 + 2];
      for (let c = 0; c < 6; c++) ata[r * 6 + c] += t[r] * t[c];
    }
  }
  const coef = solve(ata, atz, 6);
  const out = Float32Array.from(landmarks);
  for (let j = 0; j < count; j++) {
    const t = terms((landmarks[j * 3] - centre[0]) / size, (landmarks[j * 3 + 1] - centre[1]) / size);
    const smooth = t.reduce((sum, v, k) => sum + v * coef[k], 0);
    out[j * 3 + 2] = smooth + RELIEF_KEPT * (landmarks[j * 3 + 2] - smooth);
  }
  return out;
}
