// Input fix 3 against HelloMeme's fps8 path (ff_change_fps to 8 fps, then every frame OpenCV decodes; test/golden/
// hellomeme_inputs): the project's decoder with 'output-rate' conversion keeps the same source frames, in order, from
// clips of 6 to 30 fps and a variable-rate one; the fps filter (what the warp engine keeps) does not.
import { describe, expect, it } from 'vitest';
import { decodeVideo } from '../../../../../../src/pipeline/media/video.ts';
import { INPUTS, inputsGolden } from './inputs-golden.ts';

/** The source frame index a golden frame (side² px) carries: bit k is block k (row-major, 4×4) white. */
function frameIndex(frame: Uint8Array, side = 64): number {
  const block = side / 4;
  let index = 0;
  for (let k = 0; k < 16; k++) {
    let sum = 0;
    for (let y = block / 4; y < (block * 3) / 4; y++) for (let x = block / 4; x < (block * 3) / 4; x++) sum += frame[(((k >> 2) * block + y) * side + (k & 3) * block + x) * 3];
    if (sum / (block / 2) ** 2 > 128) index |= 1 << k;
  }
  return index;
}

describe('fps8 frame selection', () => {
  it.each(INPUTS.fps8.map((c) => [c.clip, c] as const))('keeps the frames HelloMeme keeps from %s', async (clip, c) => {
    const decoded = await decodeVideo(inputsGolden(clip), { fps: 8, rateConversion: 'output-rate' });
    expect(decoded.fps).toBe(8);
    expect(decoded.frames.map((f) => frameIndex(f))).toEqual(c.fps8_frames);
  });

  it('keeps the same frames when it also shrinks them, and a trimmed span keeps their prefix', async () => {
    const c = INPUTS.fps8.find((x) => x.source_rate === '15') as (typeof INPUTS.fps8)[number];
    const small = await decodeVideo(inputsGolden(c.clip), { fps: 8, rateConversion: 'output-rate', maxSide: 32 });
    expect([small.width, small.height]).toEqual([32, 32]);
    expect(small.frames.map((f) => frameIndex(f, 32))).toEqual(c.fps8_frames);
    const trimmed = await decodeVideo(inputsGolden(c.clip), { fps: 8, rateConversion: 'output-rate', endSec: 3.2 });
    expect(trimmed.frames.map((f) => frameIndex(f))).toEqual(c.fps8_frames.slice(0, trimmed.frames.length));
    expect(trimmed.frames.length).toBeGreaterThanOrEqual(26);
  });

  it('differs from the fps filter, which HelloMeme does not use', async () => {
    const c = INPUTS.fps8.find((x) => x.source_rate === '30') as (typeof INPUTS.fps8)[number];
    const filtered = await decodeVideo(inputsGolden(c.clip), { fps: 8 });
    expect(filtered.frames.map((f) => frameIndex(f))).not.toEqual(c.fps8_frames);
  });
});
