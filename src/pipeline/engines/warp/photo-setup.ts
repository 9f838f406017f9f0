// What the warp engine prepares once per photo and set of faces: per animated face the geometry the motion is
// retargeted onto, its mesh and person layer and its skin colour; for all of them the background plate. The
// person mask is made once per image, the rest once per set of faces (the photo cache hands back the same image
// and Face objects, so another template, another take or another face choice of the same photo skips it).
import { skinColour } from '../../motion/driver-mouths.ts';
import { type PhotoFaceGeometry, photoFaceGeometry } from '../../motion/retarget.ts';
import type { Face, RgbImage } from '../../types.ts';
import { groupRegions } from './group-regions.ts';
import { type PersonLayer, personLayer } from './person-layer.ts';
import type { PersonSegmenter } from './person-segmenter.ts';
import { buildPhotoWarpMesh, type PhotoWarpMesh } from './warp-mesh.ts';

export interface FaceSetup {
  face: Face;
  /** The face as the take is planned on it; the mesh shares its (relief-softened) depths, so the head's fit is exact. */
  photo: PhotoFaceGeometry;
  mesh: PhotoWarpMesh;
  layer: PersonLayer;
  /** The face's skin colour (mean Y, Cb, Cr, then spreads), for colour-matching the driver's mouth. */
  skin: Float32Array;
}

interface PhotoSetup {
  /** Per animated face, in the order given. */
  faces: FaceSetup[];
  /** The photo with what every moving head may uncover painted from the background. */
  plate: Uint8Array;
}

type PhotoSetupSource = (image: RgbImage, animated: readonly Face[], still?: readonly Face[]) => Promise<PhotoSetup>;

/** Face sets kept per image: a person switching between "all" and one face of the same photo. */
const SETS_PER_IMAGE = 4;

interface ImageEntry {
  person: Promise<Uint8Array>;
  sets: { animated: readonly Face[]; still: readonly Face[]; setup: Promise<PhotoSetup> }[];
}

const sameFaces = (a: readonly Face[], b: readonly Face[]) => a.length === b.length && a.every((face, i) => face === b[i]);

export function photoSetupSource(segmenter: PersonSegmenter, faceTriangles?: ArrayLike<number>): PhotoSetupSource {
  const cache = new WeakMap<RgbImage, ImageEntry>();
  return (image, animated, still = []) => {
    let entry = cache.get(image);
    if (!entry) {
      const person = segmenter.segment(image);
      entry = { person, sets: [] };
      cache.set(image, entry);
      person.catch(() => cache.delete(image));
    }
    const cached = entry.sets.find((set) => sameFaces(set.animated, animated) && sameFaces(set.still, still));
    if (cached) return cached.setup;
    const { person } = entry;
    const setup = (async () => {
      const photos = animated.map((face) => photoFaceGeometry(face.landmarks));
      const regions = groupRegions(image, photos.map((p) => p.landmarks), await person, still.map((face) => photoFaceGeometry(face.landmarks).landmarks));
      const faces = animated.map((face, f): FaceSetup => {
        const { head, alpha, hole } = regions.faces[f];
        const mesh = buildPhotoWarpMesh(photos[f].landmarks, head, image.width, image.height, faceTriangles);
        const layer = personLayer(mesh, alpha, hole, image.width, image.height);
        return { face, photo: photos[f], mesh, layer, skin: skinColour(image, face.landmarks) };
      });
      return { faces, plate: regions.plate };
    })();
    const sets = entry.sets;
    sets.push({ animated, still, setup });
    if (sets.length > SETS_PER_IMAGE) sets.shift();
    setup.catch(() => {
      const at = sets.findIndex((set) => set.setup === setup);
      if (at >= 0) sets.splice(at, 1);
    });
    return setup;
  };
}
