// Which head of a group photo each pixel belongs to. A person pixel belongs to the head its person region
// reaches first, walking over person pixels only from each face (steps counted in that head's heights, so a big
// head reaches as far as a small one in proportion): long hair that crosses the midpoint towards a neighbour
// stays its owner's, and where two people touch, the boundary is where they meet. Background pixels (and person
// pixels no face reaches) go to the head whose ellipse is nearest.
import { type HeadFrame, headEllipseDistance } from './head-regions.ts';
import { fillFaceOval } from './polygon.ts';

/** A binary min-heap of pixels by distance (lazy: stale entries are skipped when popped). */
class PixelHeap {
  #keys = new Float64Array(1024);
  #items = new Int32Array(1024);
  size = 0;

  push(key: number, item: number): void {
    if (this.size === this.#keys.length) {
      const keys = new Float64Array(this.size * 2);
      const items = new Int32Array(this.size * 2);
      keys.set(this.#keys);
      items.set(this.#items);
      [this.#keys, this.#items] = [keys, items];
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#keys[parent] <= key) break;
      this.#keys[i] = this.#keys[parent];
      this.#items[i] = this.#items[parent];
      i = parent;
    }
    this.#keys[i] = key;
    this.#items[i] = item;
  }

  /** Removes the nearest; returns its item (its key is `lastKey`). */
  pop(): number {
    const item = this.#items[0];
    this.lastKey = this.#keys[0];
    const key = this.#keys[--this.size];
    const moved = this.#items[this.size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.#keys[child + 1] < this.#keys[child]) child++;
      if (this.#keys[child] >= key) break;
      this.#keys[i] = this.#keys[child];
      this.#items[i] = this.#items[child];
      i = child;
    }
    this.#keys[i] = key;
    this.#items[i] = moved;
    return item;
  }

  lastKey = 0;
}

/** The 8 neighbours of a pixel and the length of the step to each. */
const DX = Int8Array.from([1, -1, 0, 0, 1, 1, -1, -1]);
const DY = Int8Array.from([0, 0, 1, -1, 1, -1, 1, -1]);
const LENGTH = Float64Array.from([1, 1, 1, 1, Math.SQRT2, Math.SQRT2, Math.SQRT2, Math.SQRT2]);

/**
 * Per pixel, the index into `heads` (with each head's landmarks, xyz pixels) of the head it belongs to.
 * `person` is 1 on person pixels (the layer's fringe and up).
 */
export function headOwners(heads: HeadFrame[], landmarks: readonly Float32Array[], person: Uint8Array, width: number, height: number): Uint8Array {
  const owner = new Uint8Array(width * height);
  if (heads.length === 1) return owner;
  // Float64: keys and stored distances must compare exactly, or equal paths are re-queued over and over.
  const distance = new Float64Array(width * height).fill(Number.POSITIVE_INFINITY);
  const heap = new PixelHeap();
  // One step costs a pixel in the owner's head heights: distances are in head sizes.
  const steps = heads.map((head) => 1 / head.height);
  const seeds = new Uint8Array(width * height);
  landmarks.forEach((points, h) => {
    fillFaceOval(seeds, width, height, points, h + 1);
  });
  for (let p = 0; p < seeds.length; p++) {
    if (!seeds[p]) continue;
    owner[p] = seeds[p] - 1;
    distance[p] = 0;
    heap.push(0, p);
  }
  while (heap.size > 0) {
    const p = heap.pop();
    const here = heap.lastKey;
    if (here > distance[p]) continue;
    const x = p % width;
    const y = (p - x) / width;
    const step = steps[owner[p]];
    for (let n = 0; n < 8; n++) {
      const nx = x + DX[n];
      const ny = y + DY[n];
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      const q = ny * width + nx;
      const reached = here + LENGTH[n] * step;
      if (!person[q] || reached >= distance[q]) continue;
      distance[q] = reached;
      owner[q] = owner[p];
      heap.push(reached, q);
    }
  }
  for (let p = 0; p < owner.length; p++) {
    if (distance[p] !== Number.POSITIVE_INFINITY) continue;
    const [x, y] = [p % width, (p / width) | 0];
    let best = 0;
    for (let h = 1; h < heads.length; h++) if (headEllipseDistance(heads[h], x, y) < headEllipseDistance(heads[best], x, y)) best = h;
    owner[p] = best;
  }
  return owner;
}
