// The one place that knows where test fixtures live: photos in test/fixtures (LICENSE and README there), the
// HelloMeme driving clips as the built-in templates ship them (assets/templates/<id>/clip.mp4, whose
// template.json names the original clip), and small loaders the tests share.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RgbImage } from '../../src/pipeline/types.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
export const REFERENCE_IMAGES = path.join(FIXTURES, 'hellomeme', 'reference_images');
export const DRIVE_IMAGES = path.join(FIXTURES, 'hellomeme', 'drive_images');
export const OPEN_IMAGES = path.join(FIXTURES, 'open-images');
const TEMPLATES = path.join(REPO_ROOT, 'assets', 'templates');

export function referenceImage(name: string): string {
  return path.join(REFERENCE_IMAGES, name);
}

let clipsByName: Map<string, string> | undefined;

/** A HelloMeme driving clip by its original name (`nice.mp4`), read from the template that ships it. */
export function driveVideo(name: string): string {
  clipsByName ??= new Map(
    readdirSync(TEMPLATES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        const meta = JSON.parse(readFileSync(path.join(TEMPLATES, d.name, 'template.json'), 'utf8')) as { source?: string; clip: string };
        const original = /drive_videos\/([\w.-]+\.mp4)/.exec(meta.source ?? '')?.[1];
        return original ? [[original, path.join(TEMPLATES, d.name, meta.clip)] as const] : [];
      }),
  );
  const file = clipsByName.get(name);
  if (!file) throw new Error(`no built-in template ships the driving clip '${name}'`);
  return file;
}

/** A fixture photo as RGB, fitted inside `maxSide`. */
export async function loadRgb(file: string, maxSide = 512): Promise<RgbImage> {
  const { data, info } = await sharp(file).resize(maxSide, maxSide, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
