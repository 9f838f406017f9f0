// The motion-track fallback controls' pose images (shape, −1 background, the quad turning with yaw) and the host memory
// plan against the spec's per-frame figure (the auto-engine rule: test/unit/pipeline/engines/auto-engine.test.ts).
import { describe, expect, it } from 'vitest';
import { EXPRESSION_DIM, motionTrackControls, poseImageFor } from '../../../../../../src/pipeline/engines/hellomeme/control-signals.ts';
import { planMemory } from '../../../../../helpers/hellomeme-memory-plan.ts';
import { headTurnTrack } from './engine-fixtures.ts';

/** Mean x of the non-background pixels of a [3, S, S] pose image. */
function drawnCentroidX(image: Float32Array, size: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (image[i] > -1 || image[size * size + i] > -1 || image[2 * size * size + i] > -1) {
        sum += x;
        n++;
      }
    }
  }
  return sum / n;
}

describe('motion-track controls', () => {
  it('draws one pose image per frame on a −1 background, with zero expressions, and says why they stand in', () => {
    const controls = motionTrackControls(headTurnTrack(5), 64, 'no face toolkit here');
    expect(controls.source).toBe('motion-track (no face toolkit here)');
    expect(controls.poseImages).toHaveLength(5 * 3 * 64 * 64);
    expect(controls.expressions).toHaveLength(5 * EXPRESSION_DIM);
    expect(controls.expressions.every((v) => v === 0)).toBe(true);
    expect(controls.poseImages[0]).toBe(-1);
    expect(controls.poseImages.some((v) => v > 0.9)).toBe(true);
  });

  it('centres a frontal quad and moves it sideways when the head turns', () => {
    const frontal = drawnCentroidX(poseImageFor(0, 0, 0, 128), 128);
    expect(Math.abs(frontal - 64)).toBeLessThan(2);
    const left = drawnCentroidX(poseImageFor(-30, 0, 0, 128), 128);
    const right = drawnCentroidX(poseImageFor(30, 0, 0, 128), 128);
    expect(Math.sign(left - frontal)).toBe(-Math.sign(right - frontal));
    expect(Math.abs(left - right)).toBeGreaterThan(2);
  });
});

describe('memory plan', () => {
  it('matches the spec: about 5.0M control values per frame per CFG half at 512²', () => {
    const plan = planMemory({ frameCount: 47, latentSize: 64, downChannels: [320, 640, 1280, 1280], upChannels: [1280, 1280, 1280, 640] });
    expect(plan.controlBytesPerFrame / (2 * 4)).toBe(4_997_120);
    expect(plan.controlCacheBytes).toBe(47 * plan.controlBytesPerFrame);
    // jue (N = 47) writes pads for the 6 keyframes of its one deeper level (spec §6.3 table).
    expect(plan.keyframes).toBe(6);
  });
});
