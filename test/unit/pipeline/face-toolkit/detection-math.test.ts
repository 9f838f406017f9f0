// GFL distribution decoding, hard NMS and the full decode of raw detector outputs, with hand-computed boxes.
import { describe, expect, it } from 'vitest';
import { decodeDetections } from '../../../../src/pipeline/face-toolkit/face-detector.ts';
import { decodeLevel, distributionExpectation, levelGrid } from '../../../../src/pipeline/face-toolkit/gfl-decode.ts';
import { letterboxMatrix } from '../../../../src/pipeline/face-toolkit/letterbox.ts';
import { hardNms, iou } from '../../../../src/pipeline/face-toolkit/nms.ts';

describe('GFL decode', () => {
  it('keeps fractional grid rows (272/32 → 9) as the reference does', () => {
    expect([8, 16, 32].map((s) => levelGrid(160, 272, s))).toEqual([
      { rows: 34, cols: 20 },
      { rows: 17, cols: 10 },
      { rows: 9, cols: 5 },
    ]);
  });

  it('takes the softmax expectation over 8 bins', () => {
    expect(distributionExpectation(new Float32Array(8), 0)).toBeCloseTo(3.5, 12);
    const logits = Float32Array.of(9, 9, 0, 0, 0, 0, 0, 0, /* next side */ 0, 0, 0, 0, 0, 0, 0, 50);
    expect(distributionExpectation(logits, 8)).toBeCloseTo(7, 12);
    // bins 0 and 1 share the mass almost evenly (the 6 others hold e^-9 each)
    expect(distributionExpectation(logits, 0)).toBeCloseTo(0.5 + (6 * 4.5 * Math.exp(-9)) / (2 + 6 * Math.exp(-9)) - (6 * Math.exp(-9) * 0.5) / (2 + 6 * Math.exp(-9)), 10);
  });

  it('decodes a cell at (col·s, row·s) with no half-cell offset, sides in l, t, r, b order', () => {
    const scores = new Float32Array(680);
    scores[10 * 20 + 5] = 0.9;
    scores[0] = 0.5;
    const dist = new Float32Array(680 * 32);
    // cell (10, 5): l peaks at bin 1, t at 2, r at 3, b at 4
    [1, 2, 3, 4].forEach((bin, side) => {
      dist[(205 * 4 + side) * 8 + bin] = 40;
    });
    const boxes = decodeLevel({ scores, distributions: dist }, 8, 160, 272, 2);
    expect(boxes).toHaveLength(2);
    expect(boxes[0].score).toBeCloseTo(0.9, 6);
    boxes[0].box.forEach((v, i) => void expect(v).toBeCloseTo([40 - 8, 80 - 16, 40 + 24, 80 + 32][i], 6));
    // cell 0 with flat logits: 3.5 bins each side
    boxes[1].box.forEach((v, i) => void expect(v).toBeCloseTo([-28, -28, 28, 28][i], 6));
  });

  it('rejects outputs of the wrong size with a message naming the level', () => {
    expect(() => decodeLevel({ scores: new Float32Array(10), distributions: new Float32Array(320) }, 16, 160, 272)).toThrow(/stride 16/);
  });
});

describe('hard NMS', () => {
  const box = (x0: number, y0: number, x1: number, y1: number, score: number) => ({ box: [x0, y0, x1, y1] as [number, number, number, number], score });

  it('computes IoU with the eps in the denominator', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(50 / (150 + 1e-5), 12);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
  });

  it('keeps the best of overlapping boxes, drops IoU > 0.3, keeps ≤ 0.3, drops scores ≤ 0.4', () => {
    const kept = hardNms([box(1, 1, 11, 11, 0.8), box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.7), box(7, 0, 17, 10, 0.6), box(40, 40, 50, 50, 0.4), box(60, 60, 70, 70, 0.41)]);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.6, 0.41]);
  });

  it('considers only the 200 best candidates', () => {
    const many = Array.from({ length: 250 }, (_, i) => box(i * 20, 0, i * 20 + 10, 10, 0.5 + i / 1000));
    const kept = hardNms(many);
    expect(kept).toHaveLength(200);
    expect(Math.min(...kept.map((k) => k.score))).toBeCloseTo(0.5 + 50 / 1000, 12);
  });
});

describe('decodeDetections', () => {
  it('turns raw outputs into frame boxes through NMS and the inverse letterbox', () => {
    const sizes = [680, 170, 45];
    const scores = sizes.map((n) => new Float32Array(n));
    const dists = sizes.map((n) => new Float32Array(n * 32));
    scores[0][205] = 0.95; // stride 8, row 10, col 5 → centre (40, 80)
    scores[0][206] = 0.9; // its neighbour, same size: suppressed
    scores[2][5 * 3 + 2] = 0.7; // stride 32, row 3, col 2 → centre (64, 96), ±112: contains the first box but IoU is 1/16 → kept
    scores[1][16 * 10 + 9] = 0.6; // stride 16, row 16, col 9 → centre (144, 256): far away, kept
    const frameMatrix = letterboxMatrix(320, 544);
    const out = decodeDetections([...scores, ...dists], frameMatrix, 320, 544);
    expect(out.map((d) => d.score)).toEqual([Math.fround(0.95), Math.fround(0.7), Math.fround(0.6)]);
    // flat logits: 3.5 bins per side → ±28 px (stride 8) in the input, ×2 in the frame
    expect(out[0].box).toEqual([24, 104, 136, 216]);
    // stride 16: ±56 → (88, 200, 200, 312) in the input → (176, 400, 400, 624) clipped to 544
    expect(out[1].box).toEqual([0, 0, 320, 416]);
    expect(out[2].box).toEqual([176, 400, 320, 544]);
  });
});
