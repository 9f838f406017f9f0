import { describe, expect, it } from 'vitest';
import { MIN_LADDER_FPS, budgetLadder, certainToMiss, resampleIndices, scaledEvenSize } from '../../../../src/pipeline/media/budget-ladder.ts';

describe('budgetLadder', () => {
  it('orders GIF steps: fewer fps, then smaller, then fewer colours; each setting only gets worse', () => {
    const steps = budgetLadder('gif', 12);
    expect(steps[0]).toEqual({ fps: 12, scale: 1, colors: 256 });
    expect(steps.map((s) => s.fps)).toEqual([12, 9, 6, 6, 6, 6, 6, 6]);
    expect(steps.map((s) => s.scale)).toEqual([1, 1, 1, 0.75, 0.5, 0.5, 0.5, 0.5]);
    expect(steps.map((s) => s.colors)).toEqual([256, 256, 256, 256, 256, 128, 64, 32]);
  });

  it('raises CRF for video, and a picture whose size the receiver fixes never shrinks', () => {
    const mp4 = budgetLadder('mp4', 24);
    expect(mp4[mp4.length - 1].crf).toBeGreaterThan(mp4[0].crf!);
    expect(mp4.every((s, i) => i === 0 || (s.crf! >= mp4[i - 1].crf! && s.fps <= mp4[i - 1].fps))).toBe(true);
    expect(budgetLadder('webm', 30, { keepSize: true }).every((s) => s.scale === 1)).toBe(true);
    expect(budgetLadder('webm', 30).some((s) => s.scale < 1)).toBe(true);
  });

  it('never goes below the minimum frame rate, nor above a slow source', () => {
    expect(Math.min(...budgetLadder('gif', 30).map((s) => s.fps))).toBe(15);
    expect(budgetLadder('gif', 8).map((s) => s.fps).every((fps) => fps >= MIN_LADDER_FPS)).toBe(true);
    expect(new Set(budgetLadder('gif', 4).map((s) => s.fps))).toEqual(new Set([4]));
  });
});

describe('resampleIndices and scaledEvenSize', () => {
  it('keeps the duration when dropping frames', () => {
    expect(resampleIndices(12, 12, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(resampleIndices(48, 12, 9)).toHaveLength(36);
    expect(resampleIndices(5, 10, 20)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rounds scaled sides to even numbers', () => {
    expect(scaledEvenSize(512, 384, 0.75)).toEqual({ width: 384, height: 288 });
    expect(scaledEvenSize(161, 121, 1)).toEqual({ width: 162, height: 122 });
    expect(scaledEvenSize(3, 3, 0.1)).toEqual({ width: 2, height: 2 });
  });
});

describe('certainToMiss', () => {
  const last = { fps: 12, scale: 1, colors: 256, bytes: 1000 };

  it('skips fps/scale steps whose proportional prediction is well over budget', () => {
    expect(certainToMiss(last, { fps: 9, scale: 1, colors: 256 }, 500)).toBe(true); // predicts 750
    expect(certainToMiss(last, { fps: 9, scale: 1, colors: 256 }, 700)).toBe(false); // 750 is within the margin
    expect(certainToMiss(last, { fps: 12, scale: 0.5, colors: 256 }, 200)).toBe(true); // predicts 250
  });

  it('never skips a quality step', () => {
    expect(certainToMiss(last, { fps: 12, scale: 1, colors: 128 }, 1)).toBe(false);
    expect(certainToMiss({ fps: 12, scale: 1, crf: 23, bytes: 1000 }, { fps: 12, scale: 1, crf: 28 }, 1)).toBe(false);
  });
});
