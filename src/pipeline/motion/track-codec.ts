// Bytes of a MotionTrack, for the on-disk cache (exact float32) and for the tracks shipped with the built-in
// templates (compact: expressions quantized to int16 steps, coded as differences between frames, the whole
// payload Brotli-compressed: ~4× smaller, ~70 KB for a 4 s template).
// File = "MLMT", 4-byte header length, JSON header, payload.
// Every per-frame array of the track is written by name (TRACK_ARRAY_FIELDS), so a field added to the track
// is carried without touching this file; a reader of another track version refuses the file. The driver's
// mouth crops (driver-mouths.ts), when the track has them, follow the arrays: per frame its crop (int16), then
// the atlas JPEG as is; their size and the driver's skin colour are in the header.
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { DriverMouths } from './driver-mouths.ts';
import { MOTION_TRACK_VERSION, type MotionTrack, TRACK_ARRAY_FIELDS, type TrackArrayField, valuesPerFrame } from './motion-track.ts';

const MAGIC = 'MLMT';
/** Quantization step of compact expressions, in face-size units (~0.03 px on a 128 px face). */
const EXPRESSION_STEP = 1 / 4096;

type Coding = 'f32' | 'u8' | 'i16-delta';

interface Header {
  version: number;
  fps: number;
  frameCount: number;
  landmarkCount: number;
  referenceAxes: number[];
  /** Per field, how its values are coded; fields absent from this list are not in the file. */
  fields: { name: TrackArrayField; coding: Coding; step?: number }[];
  compressed: boolean;
  /** What the writer says the track belongs to (the shipped tracks: the analysis key of their clip). */
  key?: string;
  /** The mouth crops' size, the driver's skin colour and the atlas's byte length, when the track has them. */
  mouths?: { width: number; height: number; skin: number[]; atlasBytes: number };
}

function codingOf(field: TrackArrayField, compact: boolean): Coding {
  if (field === 'found') return 'u8';
  return compact && field === 'expressions' ? 'i16-delta' : 'f32';
}

function encodeField(track: MotionTrack, field: TrackArrayField, coding: Coding): Buffer {
  const values = track[field];
  if (coding === 'u8') return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  if (coding === 'f32') {
    const copy = Float32Array.from(values);
    return Buffer.from(copy.buffer);
  }
  // Differences from the same value one frame earlier: small numbers that compress well.
  const perFrame = valuesPerFrame(field, track.landmarkCount);
  const out = new Int16Array(values.length);
  const previous = new Int32Array(perFrame);
  for (let i = 0; i < values.length; i++) {
    const q = Math.max(-32768, Math.min(32767, Math.round(values[i] / EXPRESSION_STEP)));
    const k = i % perFrame;
    out[i] = Math.max(-32768, Math.min(32767, q - previous[k]));
    previous[k] += out[i];
  }
  return Buffer.from(out.buffer);
}

function decodeField(bytes: Uint8Array, field: TrackArrayField, coding: Coding, step: number, landmarkCount: number): Float32Array | Uint8Array {
  const copy = new Uint8Array(bytes); // aligned
  if (coding === 'u8') return copy;
  if (coding === 'f32') return new Float32Array(copy.buffer);
  const deltas = new Int16Array(copy.buffer);
  const perFrame = valuesPerFrame(field, landmarkCount);
  const out = new Float32Array(deltas.length);
  const running = new Int32Array(perFrame);
  for (let i = 0; i < deltas.length; i++) {
    const k = i % perFrame;
    running[k] += deltas[i];
    out[i] = running[k] * step;
  }
  return out;
}

export function encodeMotionTrack(track: MotionTrack, options: { compact?: boolean; key?: string } = {}): Buffer {
  const compact = options.compact ?? false;
  const fields = TRACK_ARRAY_FIELDS.map((name) => ({ name, coding: codingOf(name, compact), ...(codingOf(name, compact) === 'i16-delta' ? { step: EXPRESSION_STEP } : {}) }));
  const header: Header = {
    version: track.version,
    fps: track.fps,
    frameCount: track.frameCount,
    landmarkCount: track.landmarkCount,
    referenceAxes: Array.from(track.referenceAxes),
    fields,
    compressed: compact,
    key: options.key,
  };
  const m = track.mouths;
  if (m) header.mouths = { width: m.width, height: m.height, skin: Array.from(m.skin), atlasBytes: m.atlas.byteLength };
  const mouthParts = m ? [Buffer.from(Int16Array.from(m.cropOf).buffer), Buffer.from(m.atlas.buffer, m.atlas.byteOffset, m.atlas.byteLength)] : [];
  const raw = Buffer.concat([...fields.map((f) => encodeField(track, f.name, f.coding)), ...mouthParts]);
  const payload = compact ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : raw;
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([Buffer.from(MAGIC), length, json, payload]);
}

/** The writer's key of an encoded track (without decoding its arrays); undefined when it has none. */
export function encodedTrackKey(bytes: Buffer): string | undefined {
  return readHeader(bytes).header.key;
}

function readHeader(bytes: Buffer): { header: Header; payloadStart: number } {
  if (bytes.subarray(0, 4).toString('latin1') !== MAGIC) throw new Error('not a motion track file');
  const jsonLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.subarray(8, 8 + jsonLength).toString('utf8')) as Header;
  return { header, payloadStart: 8 + jsonLength };
}

export function decodeMotionTrack(bytes: Buffer): MotionTrack {
  const { header, payloadStart } = readHeader(bytes);
  if (header.version !== MOTION_TRACK_VERSION) throw new Error(`motion track version ${header.version} is not ${MOTION_TRACK_VERSION}`);
  const payload = header.compressed ? brotliDecompressSync(bytes.subarray(payloadStart)) : bytes.subarray(payloadStart);
  const arrays: Partial<Record<TrackArrayField, Float32Array | Uint8Array>> = {};
  let offset = 0;
  for (const field of header.fields) {
    const bytesPerValue = field.coding === 'u8' ? 1 : field.coding === 'f32' ? 4 : 2;
    const length = header.frameCount * valuesPerFrame(field.name, header.landmarkCount) * bytesPerValue;
    if (offset + length > payload.length) throw new Error('motion track file is truncated');
    arrays[field.name] = decodeField(payload.subarray(offset, offset + length), field.name, field.coding, field.step ?? 0, header.landmarkCount);
    offset += length;
  }
  const missing = TRACK_ARRAY_FIELDS.filter((f) => !arrays[f]);
  if (missing.length > 0) throw new Error(`motion track file lacks ${missing.join(', ')}`);
  const m = header.mouths;
  let mouths: DriverMouths | undefined;
  if (m) {
    const cropBytes = header.frameCount * 2;
    if (offset + cropBytes + m.atlasBytes > payload.length) throw new Error('motion track file is truncated');
    const cropOf = new Int16Array(new Uint8Array(payload.subarray(offset, offset + cropBytes)).buffer);
    const atlas = new Uint8Array(payload.subarray(offset + cropBytes, offset + cropBytes + m.atlasBytes));
    mouths = { width: m.width, height: m.height, cropOf, atlas, skin: Float32Array.from(m.skin) };
  }
  return {
    version: header.version,
    fps: header.fps,
    frameCount: header.frameCount,
    landmarkCount: header.landmarkCount,
    referenceAxes: Float32Array.from(header.referenceAxes),
    ...(arrays as Pick<MotionTrack, TrackArrayField>),
    ...(mouths ? { mouths } : {}),
  };
}
