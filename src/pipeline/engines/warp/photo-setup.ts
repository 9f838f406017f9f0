// What the warp engine prepares once per photo: the face geometry the motion is retargeted onto, the person
// mask, the regions and background plate, the mesh and the person layer. Kept per image object, so a repeat render of the same photo (another template,
// another take: the photo cache hands back the same image) skips all of it.
import { skinColour } from '../../motion/driver-mouths.ts';
import { type PhotoFaceGeometry, photoFaceGeometry } from '../../motion/retarget.ts';
import type { Face, RgbImage } from '../../types.ts';
import { type PhotoRegions, photoRegions } from './head-regions.ts';
import { type PersonLayer, personLayer } from './person-layer.ts';
import type { PersonSegmenter } from './person-segmenter.ts';
import { buildPhotoWarpMesh, type PhotoWarpMesh } from './warp-mesh.ts';

export interface PhotoSetup {
  /** The face as the take is planned on it; the mesh shares its (relief-softened) depths, so the head's fit is exact. */
  photo: PhotoFaceGeometry;
  regions: PhotoRegions;
  mesh: PhotoWarpMesh;
  layer: PersonLayer;
  /** The face's skin colour (mean Y, Cb, Cr, then spreads), for colour-matching the driver's mouth. */
  skin: Float32Array;
}

export type PhotoSetupSource = (image: RgbImage, face: Face) => Promise<PhotoSetup>;

export function photoSetupSource(segmenter: PersonSegmenter, faceTriangles?: ArrayLike<number>): PhotoSetupSource {
  const cache = new WeakMap<RgbImage, { face: Face; setup: Promise<PhotoSetup> }>();
  return (image, face) => {
    const cached = cache.get(image);
    if (cached && cached.face === face) return cached.setup;
    const setup = (async () => {
      const photo = photoFaceGeometry(face.landmarks);
      const regions = photoRegions(image, photo.landmarks, await segmenter.segment(image));
      const mesh = buildPhotoWarpMesh(photo.landmarks, regions.head, image.width, image.height, faceTriangles);
      const layer = personLayer(mesh, regions.alpha, regions.hole, image.width, image.height);
      return { photo, regions, mesh, layer, skin: skinColour(image, face.landmarks) };
    })();
    cache.set(image, { face, setup });
    setup.catch(() => cache.delete(image));
    return setup;
  };
}
