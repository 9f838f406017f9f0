import { describe, expect, it } from 'vitest';
import { pointBounds } from '../../../src/pipeline/point-bounds.ts';

describe('pointBounds', () => {
  it('reads x, y pairs (stride 2) or x, y, z triples (stride 3), z never counting', () => {
    expect(pointBounds(new Float64Array([3, 4, -1, 9, 5, 2]), 2)).toEqual({ minX: -1, minY: 2, maxX: 5, maxY: 9 });
    expect(pointBounds(new Float32Array([3, 4, -50, -1, 9, 70, 5, 2, 0]), 3)).toEqual({ minX: -1, minY: 2, maxX: 5, maxY: 9 });
  });
});
