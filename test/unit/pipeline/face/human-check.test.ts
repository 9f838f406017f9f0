import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from '../../../../src/pipeline/face/face-analyzer.ts';
import { verdictFromObjects, verdictFromScores } from '../../../../src/pipeline/face/human-check.ts';
import type { RgbImage } from '../../../../src/pipeline/types.ts';
import { OPEN_IMAGES } from '../../../helpers/fixtures.ts';
import { loadReference, referenceImageNames, toRgbImage } from './face-fixtures.ts';

const CAT = `${OPEN_IMAGES}/chelsea.png`;
const COFFEE = `${OPEN_IMAGES}/coffee.png`;
const ASTRONAUT = `${OPEN_IMAGES}/astronaut.png`;

/** Cartoon animals as a sticker or a children's book draws them: flat colours, big eyes, snouts, ears. */
const CARTOONS: Record<string, string> = {
  cat: '<polygon points="130,200 160,70 240,160" fill="#f0a040"/><polygon points="382,200 352,70 272,160" fill="#f0a040"/><ellipse cx="256" cy="280" rx="170" ry="150" fill="#f0a040"/><ellipse cx="190" cy="250" rx="34" ry="42" fill="#fff"/><ellipse cx="322" cy="250" rx="34" ry="42" fill="#fff"/><ellipse cx="196" cy="256" rx="16" ry="26" fill="#222"/><ellipse cx="316" cy="256" rx="16" ry="26" fill="#222"/><polygon points="240,315 272,315 256,335" fill="#e05070"/><path d="M256 335 Q236 360 216 345 M256 335 Q276 360 296 345" stroke="#222" stroke-width="5" fill="none"/>',
  dog: '<ellipse cx="256" cy="260" rx="150" ry="160" fill="#c08850"/><ellipse cx="110" cy="250" rx="50" ry="110" fill="#6a4020"/><ellipse cx="402" cy="250" rx="50" ry="110" fill="#6a4020"/><ellipse cx="256" cy="340" rx="90" ry="70" fill="#f0d8b0"/><circle cx="200" cy="220" r="22" fill="#222"/><circle cx="312" cy="220" r="22" fill="#222"/><ellipse cx="256" cy="305" rx="34" ry="24" fill="#222"/><path d="M256 330 L256 360 Q226 385 206 365 M256 360 Q286 385 306 365" stroke="#222" stroke-width="5" fill="none"/>',
  bear: '<circle cx="140" cy="130" r="60" fill="#7a5030"/><circle cx="372" cy="130" r="60" fill="#7a5030"/><circle cx="256" cy="270" r="170" fill="#7a5030"/><ellipse cx="256" cy="330" rx="80" ry="60" fill="#d8b890"/><circle cx="195" cy="240" r="16" fill="#111"/><circle cx="317" cy="240" r="16" fill="#111"/><ellipse cx="256" cy="305" rx="26" ry="18" fill="#111"/>',
  monkey: '<circle cx="100" cy="260" r="60" fill="#6b4226"/><circle cx="412" cy="260" r="60" fill="#6b4226"/><circle cx="256" cy="250" r="165" fill="#6b4226"/><path d="M256 170 C 150 120 120 260 180 300 C 120 400 390 400 332 300 C 392 260 362 120 256 170 Z" fill="#e8c39e"/><ellipse cx="210" cy="235" rx="20" ry="26" fill="#fff"/><ellipse cx="302" cy="235" rx="20" ry="26" fill="#fff"/><circle cx="212" cy="240" r="11" fill="#222"/><circle cx="300" cy="240" r="11" fill="#222"/><path d="M200 340 Q256 380 312 340" stroke="#222" stroke-width="6" fill="none"/>',
  alpaca: '<rect x="200" y="300" width="112" height="212" fill="#f5efe6"/><ellipse cx="180" cy="110" rx="22" ry="50" fill="#f5efe6"/><ellipse cx="332" cy="110" rx="22" ry="50" fill="#f5efe6"/><ellipse cx="256" cy="230" rx="110" ry="130" fill="#f5efe6"/><circle cx="215" cy="215" r="14" fill="#222"/><circle cx="297" cy="215" r="14" fill="#222"/><ellipse cx="256" cy="300" rx="60" ry="45" fill="#e9dccb"/><path d="M236 320 Q256 335 276 320" stroke="#333" stroke-width="4" fill="none"/>',
};

function cartoon(body: string): Promise<RgbImage> {
  return toRgbImage(sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><rect width="512" height="512" fill="#d8ecff"/>${body}</svg>`)));
}

/** The cat as users would send it: cropped, mirrored, turned, grey, softened, tinted, posterised, small. */
const CAT_VARIANTS: Record<string, (image: sharp.Sharp) => sharp.Sharp> = {
  as_is: (i) => i,
  mirrored: (i) => i.flop(),
  turned: (i) => i.rotate(15, { background: '#808080' }),
  turned_back: (i) => i.rotate(-15, { background: '#808080' }),
  grey: (i) => i.modulate({ saturation: 0 }),
  soft: (i) => i.blur(3),
  bright: (i) => i.modulate({ brightness: 1.4 }),
  tinted: (i) => i.tint('#a06040'),
  posterised: (i) => i.median(7).modulate({ saturation: 1.6 }).sharpen(),
  square: (i) => i.resize(512, 512, { fit: 'cover' }),
};

describe('human faces only', () => {
  let faces: FaceAnalyzer;
  beforeAll(async () => {
    faces = await createFaceAnalyzer();
  });
  afterAll(() => faces.dispose());

  async function expectNoFace(image: RgbImage, what: string): Promise<void> {
    expect(await faces.detect(image), what).toEqual([]);
    await expect(faces.analyze(image), what).rejects.toSatisfy((e) => e instanceof InputError && e.code === 'NO_FACE');
  }

  it('gives the cat NO_FACE however the photo was edited', async () => {
    for (const [name, edit] of Object.entries(CAT_VARIANTS)) await expectNoFace(await toRgbImage(edit(sharp(CAT))), `cat ${name}`);
  });

  it('gives the coffee cup and drawn cartoon animals NO_FACE', async () => {
    await expectNoFace(await toRgbImage(sharp(COFFEE)), 'coffee');
    for (const [name, body] of Object.entries(CARTOONS)) await expectNoFace(await cartoon(body), `cartoon ${name}`);
  });

  it('keeps human faces in photos, paintings, CG, cartoons and anime: 18 or more of the 20 fixtures, and the astronaut', async () => {
    const found: string[] = [];
    for (const name of referenceImageNames()) if ((await faces.detect(await loadReference(name))).length > 0) found.push(name);
    expect(found.length, `found: ${found.join(', ')}`).toBeGreaterThanOrEqual(18);
    expect((await faces.detect(await toRgbImage(sharp(ASTRONAUT)))).length).toBe(1);
    // A drawn human face is still a face.
    const drawnPerson = '<ellipse cx="256" cy="250" rx="140" ry="175" fill="#f6d2b8"/><path d="M116 230 C 120 80 392 80 396 230 C 380 150 132 150 116 230 Z" fill="#4a2a18"/><ellipse cx="200" cy="240" rx="26" ry="16" fill="#fff"/><ellipse cx="312" cy="240" rx="26" ry="16" fill="#fff"/><circle cx="200" cy="240" r="11" fill="#3a2a20"/><circle cx="312" cy="240" r="11" fill="#3a2a20"/><path d="M170 210 Q200 198 230 210 M282 210 Q312 198 342 210" stroke="#4a2a18" stroke-width="6" fill="none"/><path d="M256 250 L246 300 L262 302" stroke="#c08a70" stroke-width="4" fill="none"/><path d="M215 345 Q256 360 297 345 Q256 375 215 345 Z" fill="#c8505a"/>';
    expect((await faces.detect(await cartoon(drawnPerson))).length).toBe(1);
  });

  it('picks the person when a photo holds a person and a cat', async () => {
    const person = await sharp(await loadReferenceBuffer('harris.jpg')).resize(300).toBuffer();
    const cat = await sharp(CAT).resize(340).toBuffer();
    const canvas = sharp({ create: { width: 700, height: 320, channels: 3, background: '#808080' } }).composite([{ input: cat, left: 0, top: 40 }, { input: person, left: 390, top: 10 }]);
    const found = await faces.detect(await toRgbImage(sharp(await canvas.png().toBuffer())));
    expect(found.length).toBe(1);
    expect(found[0].box.x).toBeGreaterThan(390);
  });
});

async function loadReferenceBuffer(name: string): Promise<Buffer> {
  const image = await loadReference(name);
  return sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

describe('the human-face decision', () => {
  it('trusts a face both models are sure of, refuses one either model doubts, and asks the object detector in between', () => {
    expect(verdictFromScores({ box: 0.95, mesh: 1 })).toBe('human');
    expect(verdictFromScores({ box: 0.58, mesh: 0.21 })).toBe('not-human');
    expect(verdictFromScores({ box: 0.9, mesh: 0.4 })).toBe('not-human');
    expect(verdictFromScores({ box: 0.75, mesh: 0.71 })).toBe('needs-objects');
  });

  it('calls an unsure face an animal only when an animal detection covers it more surely than a person', () => {
    const face = { x: 100, y: 100, width: 100, height: 100 };
    const around = { x: 50, y: 50, width: 300, height: 300 };
    const elsewhere = { x: 400, y: 0, width: 100, height: 100 };
    expect(verdictFromObjects(face, [{ label: 'dog', score: 0.4, box: around }])).toBe('not-human');
    expect(verdictFromObjects(face, [{ label: 'teddy bear', score: 0.3, box: around }])).toBe('not-human');
    expect(verdictFromObjects(face, [{ label: 'dog', score: 0.4, box: around }, { label: 'person', score: 0.6, box: around }])).toBe('human');
    expect(verdictFromObjects(face, [{ label: 'cat', score: 0.9, box: elsewhere }])).toBe('human');
    expect(verdictFromObjects(face, [{ label: 'airplane', score: 0.6, box: around }])).toBe('human');
  });
});
