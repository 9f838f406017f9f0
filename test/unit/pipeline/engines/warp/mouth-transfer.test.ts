// The driver's mouth in the photo: crops are re-coloured from the driver's skin statistics to the photo's (a
// grey photo gets grey teeth, a darker face a darker mouth) and laid into the target inner-lip contour with
// their structure kept (upper teeth stay at the upper lip), nothing outside the lips touched.
import { describe, expect, it } from 'vitest';
import { colourMatch, paintMouth, recolourCrop } from '../../../../../src/pipeline/engines/warp/mouth-transfer.ts';
import { type DriverMouths, lipPoint, rgbToYcc } from '../../../../../src/pipeline/motion/driver-mouths.ts';
import { INNER_LIP_LOWER, INNER_LIP_UPPER, MESH_POINTS } from '../../../../../src/pipeline/motion/face-regions.ts';

const CW = 40;
const CH = 20;

/** A driver crop: white teeth in the upper third, a dark red throat below. */
function teethCrop(): Uint8Array {
  const crop = new Uint8Array(CW * CH * 3);
  for (let j = 0; j < CH; j++) for (let i = 0; i < CW; i++) crop.set(j < CH / 3 ? [235, 230, 220] : [70, 20, 25], (j * CW + i) * 3);
  return crop;
}

const mouths: DriverMouths = { width: CW, height: CH, cropOf: new Int16Array(1), atlas: new Uint8Array(0), skin: Float32Array.from([150, 115, 150, 25, 6, 8]) };

/** Landmarks with only the inner lips set: a mouth opening 60 px wide and 24 px tall centred at (50, 40). */
function openMouth(): Float32Array {
  const l = new Float32Array(MESH_POINTS * 3);
  const columns = INNER_LIP_UPPER.length - 1;
  INNER_LIP_UPPER.forEach((id, k) => {
    const x = 20 + (60 * k) / columns;
    const bulge = Math.sin((Math.PI * k) / columns) * 12;
    l.set([x, 40 - bulge, 0], id * 3);
    l.set([x, 40 + bulge, 0], INNER_LIP_LOWER[k] * 3);
  });
  return l;
}

describe('mouth transfer', () => {
  it('keeps a grey photo grey: every re-coloured pixel has R = G = B', () => {
    const greyPhoto = Float32Array.from([120, 128, 128, 30, 0, 0]);
    const out = recolourCrop(teethCrop(), colourMatch(mouths.skin, greyPhoto));
    for (let o = 0; o < out.length; o += 3) {
      expect(Math.abs(out[o] - out[o + 1])).toBeLessThanOrEqual(1);
      expect(Math.abs(out[o + 1] - out[o + 2])).toBeLessThanOrEqual(1);
    }
    expect(out[0]).toBeGreaterThan(out[(CH - 1) * CW * 3] + 100); // teeth still far brighter than the throat
  });

  it("follows the photo's lighting and tint: a darker, bluer face gets a darker, bluer mouth, teeth at most two skin spreads above its skin", () => {
    const crop = teethCrop();
    const darkBlue = Float32Array.from([90, 140, 120, 25, 6, 8]);
    const out = recolourCrop(crop, colourMatch(mouths.skin, darkBlue));
    const tongue = Uint8Array.from([190, 120, 110]);
    const [y0, cb0] = rgbToYcc(tongue[0], tongue[1], tongue[2]);
    const matched = recolourCrop(tongue, colourMatch(mouths.skin, darkBlue));
    const [y1, cb1] = rgbToYcc(matched[0], matched[1], matched[2]);
    expect(y1).toBeCloseTo(y0 * (90 / 150), -1); // lit 60% as brightly
    expect(cb1).toBeCloseTo(cb0 + 25, -1);
    const [teeth] = rgbToYcc(out[0], out[1], out[2]);
    const [throat] = rgbToYcc(out[out.length - 3], out[out.length - 2], out[out.length - 1]);
    expect(teeth).toBeLessThanOrEqual(90 + 2 * 25 + 1); // the photo's skin mean plus two spreads
    expect(teeth).toBeGreaterThan(throat + 50);
  });

  it('lays the crop into the lip contour, teeth at the upper lip, and paints nothing outside it', () => {
    const width = 100;
    const height = 80;
    const out = new Uint8Array(width * height * 3).fill(128);
    const target = openMouth();
    paintMouth(out, width, height, target, teethCrop(), mouths, 1);
    const at = (x: number, y: number) => out[(Math.round(y) * width + Math.round(x)) * 3];
    const [ux, uy] = lipPoint(target, 0.5, 0.2);
    const [lx, ly] = lipPoint(target, 0.5, 0.75);
    expect(at(ux, uy)).toBeGreaterThan(200); // teeth
    expect(at(lx, ly)).toBeLessThan(90); // throat
    for (const [x, y] of [[50, 10], [50, 70], [10, 40], [90, 40]]) expect(at(x, y)).toBe(128);
  });

  it('paints nothing when the opening is not larger than the photo already had', () => {
    const out = new Uint8Array(100 * 80 * 3).fill(128);
    paintMouth(out, 100, 80, openMouth(), teethCrop(), mouths, 0);
    expect(out.every((v) => v === 128)).toBe(true);
  });
});
