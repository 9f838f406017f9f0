// The captions stage as render.ts uses it: the plate's frame size, bands when the face leaves no room, and
// what apply() does to each frame.
import { describe, expect, it } from 'vitest';
import { compositeRgba, inkRows } from '../../../../../src/pipeline/media/composite.ts';
import { drawCaptions } from '../../../../../src/pipeline/media/captions/caption-plate.ts';
import { MAX_CAPTION_HEIGHT_SHARE, planCaptions } from '../../../../../src/pipeline/media/captions/plan.ts';
import { memeText } from '../../../../../src/pipeline/media/captions/wrap.ts';
import { inkProblems, renderPlan } from './caption-checks.ts';

const grey = (width: number, height: number) => new Uint8Array(width * height * 3).fill(100);

/** Rows of an RGB frame that differ from the grey the frame started as. */
function changedRows(rgb: Uint8Array, width: number): number[] {
  const rows: number[] = [];
  for (let y = 0; y < rgb.length / (3 * width); y++) {
    for (let i = y * width * 3; i < (y + 1) * width * 3; i++) {
      if (rgb[i] !== 100) {
        rows.push(y);
        break;
      }
    }
  }
  return rows;
}

describe('drawCaptions', () => {
  it('without captions keeps the frame as it is', async () => {
    const plate = await drawCaptions({}, 128, 96);
    expect([plate.width, plate.height, plate.notes]).toEqual([128, 96, []]);
    const frame = grey(128, 96);
    expect(plate.apply(frame)).toBe(frame);
    expect(changedRows(frame, 128)).toEqual([]);
  });

  it('without a face puts white letters with a black outline in the top and bottom quarters, nothing between', async () => {
    const plate = await drawCaptions({ top: 'top text', bottom: 'bottom text' }, 256, 256);
    expect([plate.width, plate.height]).toEqual([256, 256]);
    const frame = plate.apply(grey(256, 256));
    let white = 0;
    let black = 0;
    for (let i = 0; i < frame.length; i += 3) {
      if (frame[i] > 240 && frame[i + 1] > 240 && frame[i + 2] > 240) white++;
      if (frame[i] < 15 && frame[i + 1] < 15 && frame[i + 2] < 15) black++;
    }
    expect(white).toBeGreaterThan(1000);
    expect(black).toBeGreaterThan(300);
    const rows = changedRows(frame, 256);
    expect(rows.every((y) => y < MAX_CAPTION_HEIGHT_SHARE * 256 || y >= 256 * (1 - MAX_CAPTION_HEIGHT_SHARE))).toBe(true);
  });

  it('keeps captions off the face when there is room above and below it', async () => {
    const face = { x: 140, y: 130, width: 120, height: 140 };
    const plan = planCaptions({ top: 'when you see', bottom: 'the price' }, 400, 400, { face });
    expect(plan.captions.map((c) => c.inBand)).toEqual([false, false]);
    const plate = await drawCaptions({ top: 'when you see', bottom: 'the price' }, 400, 400, { face });
    expect(plate.height).toBe(400);
    const rows = changedRows(plate.apply(grey(400, 400)), 400);
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.filter((y) => y >= face.y && y < face.y + face.height)).toEqual([]);
  });

  it('puts a caption in a band above the picture when the face is near the top (the classic meme layout)', async () => {
    const face = { x: 120, y: 12, width: 160, height: 190 };
    const captions = { top: 'when you see', bottom: 'the price' };
    const plan = planCaptions(captions, 400, 400, { face });
    const [top, bottom] = plan.captions;
    expect(top.inBand).toBe(true);
    expect(bottom.inBand).toBe(false);
    expect(plan.pictureTop).toBe(plan.bandTop);
    expect(top.bottom).toBeLessThanOrEqual(plan.bandTop);
    expect(inkProblems(plan, await renderPlan(plan))).toEqual([]);

    const plate = await drawCaptions(captions, 400, 400, { face });
    expect(plate.height).toBe(plan.height);
    expect(plate.height % 2).toBe(0);
    expect(plate.height).toBeGreaterThan(400);
    const out = plate.apply(grey(400, 400));
    expect(out.length).toBe(400 * plate.height * 3);
    // The band is black with the caption's white letters; the picture below it is the frame as it came, face untouched.
    const band = out.subarray(0, plan.bandTop * 400 * 3);
    const blackShare = band.filter((v, i) => i % 3 === 0 && v < 15).length / (band.length / 3);
    expect(blackShare).toBeGreaterThan(0.5);
    expect(band.some((v) => v > 240)).toBe(true);
    const pictureRows = changedRows(out.subarray(plan.bandTop * 400 * 3), 400);
    expect(pictureRows.filter((y) => y < face.y + face.height)).toEqual([]);
    expect(pictureRows.length).toBeGreaterThan(20); // the bottom caption is in the picture
  });

  it('puts the bottom caption in a band below when the face reaches the bottom, and keeps odd pictures even', async () => {
    const face = { x: 100, y: 150, width: 200, height: 245 };
    const plate = await drawCaptions({ bottom: 'told you so' }, 400, 401, { face });
    expect(plate.height).toBeGreaterThan(401);
    expect(plate.height % 2).toBe(0);
    const out = plate.apply(grey(400, 401));
    expect(changedRows(out.subarray(0, 401 * 400 * 3), 400)).toEqual([]);
  });

  it('never drops text: a caption too long for a quarter of the picture grows its band instead', async () => {
    const text = 'this caption goes on and on about nothing in particular until the layout has to give up a quarter of the frame '.repeat(3);
    const face = { x: 100, y: 20, width: 200, height: 350 };
    const plan = planCaptions({ bottom: text }, 400, 400, { face });
    const caption = plan.captions[0];
    expect(caption.inBand).toBe(true);
    expect(caption.lines.map((l) => l.shaped.text).join(' ')).toBe(memeText(text));
    expect(plan.bandBottom).toBeGreaterThan(MAX_CAPTION_HEIGHT_SHARE * 400);
    expect(inkProblems(plan, await renderPlan(plan))).toEqual([]);
  });

  it('reports characters no font has on the plate', async () => {
    const plate = await drawCaptions({ top: 'A 𓀀' }, 200, 200);
    expect(plate.notes).toEqual([expect.stringMatching(/U\+13000/)]);
  });
});

describe('compositeRgba', () => {
  it('blends only the overlay rows that hold ink, and leaves uncovered pixels alone', () => {
    const overlay = new Uint8Array(4 * 4 * 4);
    overlay.set([255, 255, 255, 255], (1 * 4 + 2) * 4); // row 1: opaque white
    overlay.set([0, 0, 0, 128], (2 * 4 + 0) * 4); // row 2: half-transparent black
    expect(inkRows(overlay, 4)).toEqual({ start: 1, end: 3 });
    expect(inkRows(new Uint8Array(64), 4)).toBeNull();
    const frame = new Uint8Array(4 * 4 * 3).fill(100);
    compositeRgba(frame, overlay, 4, 4, inkRows(overlay, 4)!);
    expect([...frame.subarray((1 * 4 + 2) * 3, (1 * 4 + 3) * 3)]).toEqual([255, 255, 255]);
    expect(frame[(2 * 4 + 0) * 3]).toBe(50);
    expect(frame.filter((v) => v !== 100).length).toBe(6);
  });
});
