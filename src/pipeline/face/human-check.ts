// Decides per detected face whether it is a human face (photos, paintings, cartoons and anime are; cats, dogs,
// monkeys, cartoon animals and cups are not). BlazeFace and the face mesh fire on animal faces too, with lower
// confidence: a face both models are sure of is human; an unsure one must clear both models' floors and must
// not sit inside something the COCO object detector names an animal (or a plush toy) more surely than a person.
// Pure decision over scores and boxes; face-analyzer.ts runs the models.
import type { Box } from '../types.ts';

/** A face BlazeFace (box) and the mesh (mesh) both score at least this high is human without further checks. */
const CERTAIN = { box: 0.85, mesh: 0.95 } as const;
/** Below either floor the models do not see a human face (the cat scores 0.58 / 0.21, anime faces ≥ 0.75 / 0.71). */
const FLOOR = { box: 0.6, mesh: 0.6 } as const;
/** An animal detection this sure, covering the face and surer than any person there, makes the face an animal's. */
const ANIMAL_MIN_SCORE = 0.25;

/** COCO classes that are animals, plus the plush toy cartoon animals read as. */
const ANIMAL_LABELS: ReadonlySet<string> = new Set(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'teddy bear']);

interface FaceScores {
  /** BlazeFace detection score. */
  box: number;
  /** Face-mesh confidence that the crop holds a face. */
  mesh: number;
}

export interface SceneObject {
  label: string;
  score: number;
  /** In the photo's pixels. */
  box: Box;
}

type HumanVerdict = 'human' | 'not-human' | 'needs-objects';

/** What the two face models alone say: sure, surely not, or ask the object detector. */
export function verdictFromScores(scores: FaceScores): HumanVerdict {
  if (scores.box < FLOOR.box || scores.mesh < FLOOR.mesh) return 'not-human';
  return scores.box >= CERTAIN.box && scores.mesh >= CERTAIN.mesh ? 'human' : 'needs-objects';
}

function covers(box: Box, x: number, y: number): boolean {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height;
}

/** The verdict for an unsure face given what the object detector found in the photo. */
export function verdictFromObjects(face: Box, objects: readonly SceneObject[]): 'human' | 'not-human' {
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2;
  const around = objects.filter((o) => covers(o.box, cx, cy));
  const best = (wanted: (label: string) => boolean) => Math.max(0, ...around.filter((o) => wanted(o.label)).map((o) => o.score));
  const animal = best((label) => ANIMAL_LABELS.has(label));
  return animal >= ANIMAL_MIN_SCORE && animal >= best((label) => label === 'person') ? 'not-human' : 'human';
}
