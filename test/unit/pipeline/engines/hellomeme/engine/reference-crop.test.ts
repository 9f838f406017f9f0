// A group photo's chosen face is what HelloMeme crops: the toolkit's crop of the photo (which knows nothing of the
// choice) is used only when it holds that face; otherwise the MediaPipe crop around the chosen face, no translation.
import { describe, expect, it } from 'vitest';
import type { EngineReference } from '../../../../../../src/pipeline/engines/engine.ts';
import { referenceCrop } from '../../../../../../src/pipeline/engines/hellomeme/reference-crop.ts';
import type { ClipAnalysis } from '../../../../../../src/pipeline/face-toolkit/face-toolkit.ts';
import type { Face, RgbImage } from '../../../../../../src/pipeline/types.ts';

const SIDE = 200;
const image: RgbImage = { width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE * 3).fill(90) };

/** A face whose 478 landmarks fill a 40 px box centred at (cx, cy). */
function faceAt(cx: number, cy: number): Face {
  const landmarks = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) {
    const angle = (i / 478) * 2 * Math.PI;
    landmarks[i * 3] = cx + 20 * Math.cos(angle) * ((i % 7) / 6);
    landmarks[i * 3 + 1] = cy + 20 * Math.sin(angle) * ((i % 7) / 6);
  }
  return { box: { x: cx - 20, y: cy - 20, width: 40, height: 40 }, landmarks } as unknown as Face;
}

/** The toolkit's analysis as it comes for a photo whose face it found inside `rect`. */
function toolkitCrop(rect: { x0: number; y0: number; x1: number; y1: number }): ClipAnalysis {
  const side = rect.x1 - rect.x0;
  const frame: RgbImage = { width: side, height: side, data: new Uint8Array(side * side * 3) };
  return { crop: { rect, frames: [frame] }, poses: [{ trans: [1, 2, 3] }] } as unknown as ClipAnalysis;
}

describe('referenceCrop', () => {
  it("uses the toolkit's crop when it holds the chosen face", () => {
    const reference: EngineReference = { image, source: image, face: faceAt(50, 50), toolkit: toolkitCrop({ x0: 0, y0: 0, x1: 100, y1: 100 }) };
    const crop = referenceCrop(reference, 64);
    expect(crop.trans).toEqual([1, 2, 3]);
    expect(crop.rect).toEqual({ x0: 0, y0: 0, x1: 100, y1: 100 });
  });

  it("crops around the chosen face when the toolkit's crop holds another face", () => {
    const reference: EngineReference = { image, source: image, face: faceAt(150, 150), toolkit: toolkitCrop({ x0: 0, y0: 0, x1: 100, y1: 100 }) };
    const crop = referenceCrop(reference, 64);
    expect(crop.trans).toBeNull();
    expect(crop.rect.x0).toBeLessThan(150);
    expect(crop.rect.x1).toBeGreaterThan(150);
    expect(crop.rect.y0).toBeLessThan(150);
    expect(crop.rect.y1).toBeGreaterThan(150);
    expect(crop.image.width).toBe(64);
  });
});
