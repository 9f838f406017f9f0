import { describe, expect, it } from 'vitest';
import { ProgressThrottle, positionSteps, stepCeil } from '../../../src/bots/progress-throttle.ts';

describe('progress throttle', () => {
  it('announces positions at roughly geometric steps', () => {
    expect(positionSteps(60)).toEqual([1, 2, 3, 4, 5, 7, 9, 12, 16, 21, 28, 38, 51, 68]);
    expect([1, 6, 10, 16, 17, 100].map(stepCeil)).toEqual([1, 7, 12, 16, 21, 122]);
  });

  it('sends a position only when it reaches a lower step, including jumps', () => {
    const throttle = new ProgressThrottle(3000, () => 0);
    throttle.announced(30);
    const sent = [29, 28, 27, 22, 21, 20, 14, 13, 12, 11, 13, 6, 5, 4, 3, 2, 1].filter((position) =>
      throttle.accept({ jobId: 'j', position }),
    );
    expect(sent).toEqual([28, 21, 14, 12, 6, 5, 4, 3, 2, 1]);
  });

  it('sends the first stage update, then at most one per interval', () => {
    let nowMs = 0;
    const throttle = new ProgressThrottle(3000, () => nowMs);
    const sentAt: number[] = [];
    for (nowMs = 0; nowMs <= 10_000; nowMs += 250) {
      if (throttle.accept({ jobId: 'j', stage: 'engine', fraction: nowMs / 10_000 })) sentAt.push(nowMs);
    }
    expect(sentAt).toEqual([0, 3000, 6000, 9000]);
  });
});
