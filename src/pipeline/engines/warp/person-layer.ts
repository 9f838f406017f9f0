// The moving layer the rasterizer lays over the background plate: the person's opacity per source pixel, the
// hole the plate paints, and per triangle whether drawing it can change anything (found once per photo from
// summed-area tables over each triangle's source bounding box, so whole empty triangles are skipped per frame).

/** What the layer reads of the warp mesh (rasterize-triangles.ts's WarpMesh by shape: the rasterizer imports this file). */
interface MeshTriangles {
  readonly source: Float32Array;
  readonly triangles: Uint32Array;
}

export interface PersonLayer {
  /** Opacity of the person per source pixel, 0..255. */
  alpha: Uint8Array;
  /** 1 where the background plate differs from the photo. */
  hole: Uint8Array;
  /** Per triangle: 1 when its source area holds some person (a triangle of pure background changes nothing). */
  opaque: Uint8Array;
  /** Per triangle: 1 when its source area touches the hole, so it is drawn even while it stands still. */
  coversHole: Uint8Array;
  /** Per triangle: 1 when its source area is fully opaque (no opacity to sample or blend). */
  solid: Uint8Array;
}

/** Summed-area table of `flags` (0/1 per pixel), (width+1)×(height+1) with a zero first row and column. */
function summedArea(width: number, height: number, flags: Uint8Array): Int32Array {
  const table = new Int32Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += flags[y * width + x];
      table[(y + 1) * (width + 1) + x + 1] = table[y * (width + 1) + x + 1] + row;
    }
  }
  return table;
}

function countIn(table: Int32Array, width: number, x0: number, y0: number, x1: number, y1: number): number {
  const w = width + 1;
  return table[(y1 + 1) * w + x1 + 1] - table[y0 * w + x1 + 1] - table[(y1 + 1) * w + x0] + table[y0 * w + x0];
}

export function personLayer(mesh: MeshTriangles, alpha: Uint8Array, hole: Uint8Array, width: number, height: number): PersonLayer {
  const person = summedArea(width, height, alpha.map((a) => (a > 0 ? 1 : 0)));
  const holes = summedArea(width, height, hole);
  const full = summedArea(width, height, alpha.map((a) => (a === 255 ? 1 : 0)));
  const count = mesh.triangles.length / 3;
  const opaque = new Uint8Array(count);
  const coversHole = new Uint8Array(count);
  const solid = new Uint8Array(count);
  const s = mesh.source;
  for (let t = 0; t < count; t++) {
    const [a, b, c] = [mesh.triangles[t * 3], mesh.triangles[t * 3 + 1], mesh.triangles[t * 3 + 2]];
    const x0 = Math.max(0, Math.floor(Math.min(s[a * 2], s[b * 2], s[c * 2])) - 1);
    const x1 = Math.min(width - 1, Math.ceil(Math.max(s[a * 2], s[b * 2], s[c * 2])) + 1);
    const y0 = Math.max(0, Math.floor(Math.min(s[a * 2 + 1], s[b * 2 + 1], s[c * 2 + 1])) - 1);
    const y1 = Math.min(height - 1, Math.ceil(Math.max(s[a * 2 + 1], s[b * 2 + 1], s[c * 2 + 1])) + 1);
    if (x0 > x1 || y0 > y1) {
      opaque[t] = 1; // wholly off the picture: samples clamp to its edge, so draw it
      continue;
    }
    opaque[t] = countIn(person, width, x0, y0, x1, y1) > 0 ? 1 : 0;
    coversHole[t] = countIn(holes, width, x0, y0, x1, y1) > 0 ? 1 : 0;
    solid[t] = countIn(full, width, x0, y0, x1, y1) === (x1 - x0 + 1) * (y1 - y0 + 1) ? 1 : 0;
  }
  return { alpha, hole, opaque, coversHole, solid };
}
