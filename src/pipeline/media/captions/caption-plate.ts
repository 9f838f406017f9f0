// The captions stage's product: the plan rasterised once (sharp renders the SVG), split into the opaque bands
// and the overlay on the picture, and applied to each frame as it leaves the engine.
import type { Captions } from '../../meme-spec.ts';
import { compositeRgba, inkRows } from '../composite.ts';
import { rasterizeSvg } from '../image.ts';
import { captionSvg } from './caption-svg.ts';
import { type CaptionOptions, planCaptions } from './plan.ts';

interface CaptionPlate {
  /** The output frame: the picture plus any caption bands (height stays even when bands are added). */
  width: number;
  height: number;
  /** For the user: characters that no bundled font has. */
  notes: string[];
  /** Captions on one picture-sized RGB frame → an output-sized RGB frame (the same array when there is no band). */
  apply(frame: Uint8Array): Uint8Array;
}

function rgbOf(rgba: Uint8Array): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let p = 0, o = 0; o < rgba.length; p += 3, o += 4) {
    rgb[p] = rgba[o];
    rgb[p + 1] = rgba[o + 1];
    rgb[p + 2] = rgba[o + 2];
  }
  return rgb;
}

/** Draws the captions for a width x height picture once; `apply` then costs one blend (and copy) per frame. */
export async function drawCaptions(captions: Captions, width: number, height: number, options: CaptionOptions = {}): Promise<CaptionPlate> {
  const plan = planCaptions(captions, width, height, options);
  const svg = captionSvg(plan);
  const base = { width: plan.width, height: plan.height, notes: plan.notes };
  if (!svg) return { ...base, apply: (frame) => frame };
  const rgba = await rasterizeSvg(svg, plan.width, plan.height);
  const rowBytes = plan.width * 4;
  const overlay = rgba.subarray(plan.pictureTop * rowBytes, (plan.pictureTop + height) * rowBytes);
  const rows = inkRows(overlay, width);
  const blend = (frame: Uint8Array) => (rows ? compositeRgba(frame, overlay, width, height, rows) : frame);
  if (plan.height === height) return { ...base, apply: blend };
  const above = rgbOf(rgba.subarray(0, plan.pictureTop * rowBytes));
  const below = rgbOf(rgba.subarray((plan.pictureTop + height) * rowBytes));
  return {
    ...base,
    apply(frame) {
      const out = new Uint8Array(plan.width * plan.height * 3);
      out.set(above, 0);
      out.set(blend(frame), above.length);
      out.set(below, above.length + frame.length);
      return out;
    },
  };
}
