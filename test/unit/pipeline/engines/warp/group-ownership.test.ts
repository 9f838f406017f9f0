// Which head each pixel of a group photo belongs to (head-ownership.ts), on synthetic heads: a strand of hair
// that crosses the midpoint towards a neighbour stays its owner's (reached through person pixels), two people
// who touch split where they meet, and background pixels go to the nearest head's ellipse.
import { describe, expect, it } from 'vitest';
import { headOwners } from '../../../../../src/pipeline/engines/warp/head-ownership.ts';
import { headFrame } from '../../../../../src/pipeline/engines/warp/head-regions.ts';
import { FACE_OVAL } from '../../../../../src/pipeline/motion/face-regions.ts';

const W = 200;
const H = 100;

/** 478 landmarks: the face oval on a circle of radius r round (cx, cy), clockwise from the forehead top. */
function circleFace(cx: number, cy: number, r: number): Float32Array {
  const landmarks = new Float32Array(478 * 3);
  for (let j = 0; j < 478; j++) landmarks.set([cx, cy, 0], j * 3);
  FACE_OVAL.forEach((index, k) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * k) / FACE_OVAL.length;
    landmarks.set([cx + r * Math.cos(angle), cy + r * Math.sin(angle), 0], index * 3);
  });
  return landmarks;
}

function mask(inside: (x: number, y: number) => boolean): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[y * W + x] = inside(x, y) ? 1 : 0;
  return out;
}

const disc = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const faces = [circleFace(50, 50, 15), circleFace(150, 50, 15)];
const heads = faces.map(headFrame);

describe('group head ownership', () => {
  it('keeps a strand crossing the midpoint with its own head, and gives background to the nearest ellipse', () => {
    const person = mask((x, y) => disc(x, y, 50, 50, 22) || disc(x, y, 150, 50, 22) || (x >= 50 && x <= 118 && y >= 70 && y <= 74));
    const owner = headOwners(heads, faces, person, W, H);
    expect(owner[72 * W + 115]).toBe(0); // the strand's tip, nearer to head 1's ellipse
    expect(owner[50 * W + 160]).toBe(1);
    expect(owner[10 * W + 110]).toBe(1); // background right of the middle
    expect(owner[10 * W + 90]).toBe(0);
  });

  it('splits two people who touch where they meet', () => {
    const person = mask((x, y) => disc(x, y, 50, 50, 22) || disc(x, y, 150, 50, 22) || (y >= 45 && y <= 55));
    const owner = headOwners(heads, faces, person, W, H);
    expect(owner[50 * W + 95]).toBe(0);
    expect(owner[50 * W + 105]).toBe(1);
  });

  it('gives every pixel to the only head of a one-face photo', () => {
    const owner = headOwners(heads.slice(0, 1), faces.slice(0, 1), mask(() => true), W, H);
    expect(owner.every((o) => o === 0)).toBe(true);
  });
});
