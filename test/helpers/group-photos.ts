// Group photos composed from the fixture portraits with sharp, inside the tests (no group photo is committed):
// three faces side by side, eight in two rows, and two faces with a third too small to animate.
import sharp from 'sharp';
import { referenceImage } from './fixtures.ts';

interface Placed {
  file: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

async function compose(width: number, height: number, placed: Placed[]): Promise<Buffer> {
  const tiles = await Promise.all(
    placed.map(async (p) => ({ input: await sharp(referenceImage(p.file)).resize(p.width, p.height, { fit: 'cover' }).png().toBuffer(), left: p.left, top: p.top })),
  );
  return sharp({ create: { width, height, channels: 3, background: '#777777' } }).composite(tiles).png().toBuffer();
}

/** Three portraits in a row (960×400): faces about 90 px wide at the 512 px working size. */
export function threeFacePhoto(): Promise<Buffer> {
  const files = ['harris.jpg', 'trump.jpg', 'kjl.jpg'];
  return compose(960, 400, files.map((file, i) => ({ file, left: i * 320, top: 0, width: 320, height: 400 })));
}

/** Eight portraits in two rows of four (800×500): more faces than are animated at once. */
export function eightFacePhoto(): Promise<Buffer> {
  const files = ['harris.jpg', 'trump.jpg', 'kjl.jpg', 'zzj.jpg', 'majicmix1.jpg', 'chillout.jpg', 'civitai1.jpg', 'mimic1.jpg'];
  return compose(800, 500, files.map((file, i) => ({ file, left: (i % 4) * 200, top: Math.floor(i / 4) * 250, width: 200, height: 250 })));
}

/** Two portraits and, to their right, a small one whose face is under 40 px at the working size (1024×500). */
export function tinyFacePhoto(): Promise<Buffer> {
  return compose(1024, 500, [
    { file: 'harris.jpg', left: 0, top: 0, width: 400, height: 500 },
    { file: 'trump.jpg', left: 400, top: 0, width: 400, height: 500 },
    { file: 'kjl.jpg', left: 820, top: 150, width: 130, height: 163 },
  ]);
}
