// Every built-in template's default captions on a square, a portrait and a landscape photo, drawn the way
// render.ts draws them (real face analysis, the plate applied to the photo), then read back from the pixels:
// tesseract OCR of each line, each grapheme's ink inside the frame, and no caption over the face.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../../src/pipeline/face/face-analyzer.ts';
import { drawCaptions } from '../../../../../src/pipeline/media/captions/caption-plate.ts';
import { planCaptions } from '../../../../../src/pipeline/media/captions/plan.ts';
import { memeText } from '../../../../../src/pipeline/media/captions/wrap.ts';
import { decodeImage, resizeToFit } from '../../../../../src/pipeline/media/image.ts';
import type { Face, RgbImage } from '../../../../../src/pipeline/types.ts';
import { loadTemplateCatalog } from '../../../../../src/templates/catalog.ts';
import { referenceImage } from '../../../../helpers/fixtures.ts';
import { editDistance, inkProblems, ocrLine, renderPlan } from './caption-checks.ts';

const PHOTOS = [
  { shape: 'square', file: 'chillout.jpg', crop: null },
  { shape: 'portrait', file: 'show6.jpg', crop: { width: 576, height: 1024 } },
  { shape: 'landscape', file: 'cg2.jpg', crop: { width: 1024, height: 576 } },
] as const;

/** Letters only, with tesseract's usual reading of Anton's I ("|" or "1") folded back. */
const letters = (text: string) => text.toUpperCase().replace(/[|1]/g, 'I').replace(/[^A-Z]/g, '');

let faces: FaceAnalyzer;
const pictures = new Map<string, { image: RgbImage; face: Face }>();

beforeAll(async () => {
  faces = await createFaceAnalyzer();
  for (const photo of PHOTOS) {
    let pipeline = sharp(referenceImage(photo.file));
    if (photo.crop) pipeline = pipeline.resize(photo.crop.width, photo.crop.height, { fit: 'cover' });
    // As render.ts: decode, then fit in 512 px.
    const image = await resizeToFit(await decodeImage(await pipeline.png().toBuffer()), 512);
    pictures.set(photo.shape, { image, face: await faces.analyze(image) });
  }
});

afterAll(async () => {
  await faces?.dispose();
});

describe('built-in templates: default captions read back from the pixels', async () => {
  const templates = (await loadTemplateCatalog()).list().filter((t) => t.defaultCaption?.top || t.defaultCaption?.bottom);

  it('has templates with default captions to check', () => {
    expect(templates.length).toBeGreaterThanOrEqual(13);
  });

  for (const photo of PHOTOS) {
    it(`on a ${photo.shape} photo: every line OCRs as written, every glyph is inked inside the frame, the face stays clear`, async () => {
      const { image, face } = pictures.get(photo.shape)!;
      const report: string[] = [];
      for (const template of templates) {
        const captions = template.defaultCaption!;
        const plan = planCaptions(captions, image.width, image.height, { face: face.box });
        const plate = await drawCaptions(captions, image.width, image.height, { face: face.box });
        expect([plate.width, plate.height]).toEqual([plan.width, plan.height]);
        const frame = plate.apply(new Uint8Array(image.data));
        for (const problem of inkProblems(plan, await renderPlan(plan))) report.push(`${template.id}: ${problem}`);
        for (const caption of plan.captions) {
          const faceTop = plan.pictureTop + face.box.y;
          const faceBottom = faceTop + face.box.height;
          if (caption.top < faceBottom && caption.bottom > faceTop) report.push(`${template.id}: the ${caption.position} caption (rows ${caption.top}-${caption.bottom}) covers the face (${faceTop}-${faceBottom})`);
          const read: string[] = [];
          for (const line of caption.lines) read.push(await ocrLine(frame, plate.width, caption, line, plate.height));
          const expected = letters(memeText(captions[caption.position]!));
          const got = letters(read.join(' '));
          const allowed = Math.max(1, Math.floor(expected.length / 6));
          if (editDistance(got, expected) > allowed) report.push(`${template.id}: ${caption.position} caption read as ${JSON.stringify(read)}, expected "${expected}"`);
        }
      }
      expect(report).toEqual([]);
    });
  }
});
