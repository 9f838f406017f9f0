// Which analysed driver frame stands for each output frame. HelloMeme drops frames where its toolkit finds no
// face (spec §3.3), shortening the clip; we hold the nearest kept frame instead so the output keeps the clip's
// length and timing (captions, audio, the MotionTrack all count the same frames). Pure index math.
import { InputError } from '../../../errors.ts';

/**
 * For each of `frameCount` frames, the position in `keptIndices` (ascending frame indices) of the nearest kept
 * frame; on a tie the earlier one, so a gap is filled half by the frame before it, half by the one after.
 */
export function nearestKeptFrame(keptIndices: readonly number[], frameCount: number): Int32Array {
  if (keptIndices.length === 0) throw new InputError('NO_FACE', 'no driver frame kept a face');
  const out = new Int32Array(frameCount);
  let k = 0;
  for (let f = 0; f < frameCount; f++) {
    while (k + 1 < keptIndices.length && Math.abs(keptIndices[k + 1] - f) < Math.abs(keptIndices[k] - f)) k++;
    out[f] = k;
  }
  return out;
}

/** Gathers rows of `rowLength` values from `rows` in the order `pick` gives: [pick.length, rowLength]. */
export function gatherRows(rows: Float32Array, rowLength: number, pick: ArrayLike<number>): Float32Array {
  const out = new Float32Array(pick.length * rowLength);
  for (let i = 0; i < pick.length; i++) out.set(rows.subarray(pick[i] * rowLength, (pick[i] + 1) * rowLength), i * rowLength);
  return out;
}
