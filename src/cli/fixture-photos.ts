// The photos `memeloom bench` and `memeloom eval` use by default: the repository's HelloMeme fixture photos
// (test/fixtures/hellomeme, MIT), five of them chosen to span realistic, CG, painted and cartoon faces.
import { fileURLToPath } from 'node:url';

export const FIXTURE_PHOTO_DIR = fileURLToPath(new URL('../../test/fixtures/hellomeme/reference_images/', import.meta.url));
export const DEFAULT_PHOTOS = ['trump.jpg', 'toon.png', 'harris.jpg', 'chillout.jpg', 'civitai1.jpg'];
