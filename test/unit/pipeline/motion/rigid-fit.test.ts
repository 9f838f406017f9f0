import { describe, expect, it } from 'vitest';
import { eulerDegToRotation, fitSimilarity3, rotate3, rotationToEulerDeg } from '../../../../src/pipeline/motion/rigid-fit.ts';

function randomCloud(count: number, seed: number): Float32Array {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  return Float32Array.from({ length: count * 3 }, () => next() * 200);
}

function transform(points: Float32Array, r: Float64Array, scale: number, t: number[]): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const [x, y, z] = rotate3(r, points[i], points[i + 1], points[i + 2]);
    out[i] = scale * x + t[0];
    out[i + 1] = scale * y + t[1];
    out[i + 2] = scale * z + t[2];
  }
  return out;
}

describe('fitSimilarity3', () => {
  it('recovers a known rotation, scale and translation', () => {
    const source = randomCloud(60, 7);
    const r = eulerDegToRotation(25, -12, 8);
    const target = transform(source, r, 1.3, [40, -15, 3]);
    const fit = fitSimilarity3(source, target);
    for (let i = 0; i < 9; i++) expect(fit.rotation[i]).toBeCloseTo(r[i], 4);
    expect(fit.scale).toBeCloseTo(1.3, 4);
    const angles = rotationToEulerDeg(fit.rotation);
    expect(angles.yaw).toBeCloseTo(25, 2);
    expect(angles.pitch).toBeCloseTo(-12, 2);
    expect(angles.roll).toBeCloseTo(8, 2);
  });

  it('uses only the listed indices, ignoring moved points elsewhere', () => {
    const source = randomCloud(40, 3);
    const r = eulerDegToRotation(0, 0, 30);
    const target = transform(source, r, 1, [0, 0, 0]);
    const rigid = Array.from({ length: 20 }, (_, i) => i);
    for (let i = 20; i < 40; i++) target[i * 3] += 50; // "expression" on the other points
    const fit = fitSimilarity3(source, target, rigid);
    expect(rotationToEulerDeg(fit.rotation).roll).toBeCloseTo(30, 3);
    expect(fit.scale).toBeCloseTo(1, 4);
  });

  it('returns the identity for identical sets', () => {
    const source = randomCloud(10, 11);
    const fit = fitSimilarity3(source, source);
    expect(Array.from(fit.rotation).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});
