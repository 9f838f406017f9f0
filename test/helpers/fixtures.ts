// Paths to ../shared fixtures and small loaders the tests share.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RgbImage } from '../../src/pipeline/types.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const REFERENCE_IMAGES = path.join(SHARED, 'fixtures', 'hellomeme', 'reference_images');
export const DRIVE_VIDEOS = path.join(SHARED, 'fixtures', 'hellomeme', 'drive_videos');

export function referenceImage(name: string): string {
  return path.join(REFERENCE_IMAGES, name);
}

/** A fixture photo as RGB, fitted inside `maxSide`. */
export async function loadRgb(file: string, maxSide = 512): Promise<RgbImage> {
  const { data, info } = await sharp(file).resize(maxSide, maxSide, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
