// On-disk cache of analysed driving clips, keyed by a content hash of the clip and the analysis settings,
// so each template is analysed once per machine. File = 4-byte header length, JSON header, raw arrays.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { MOTION_TRACK_VERSION, type MotionTrack } from './motion-track.ts';

type ArrayField = 'rotations' | 'scales' | 'translations' | 'expressions' | 'poses' | 'found';
const FIELDS: ArrayField[] = ['rotations', 'scales', 'translations', 'expressions', 'poses', 'found'];

interface CacheHeader {
  version: number;
  fps: number;
  frameCount: number;
  landmarkCount: number;
  byteLengths: Record<ArrayField, number>;
}

/** sha256 of a file's bytes (streamed) plus the settings that shape its analysis. */
export async function motionCacheKey(clipPath: string, settings: Record<string, unknown>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(clipPath)) hash.update(chunk as Buffer);
  hash.update(JSON.stringify({ ...settings, trackVersion: MOTION_TRACK_VERSION }));
  return hash.digest('hex').slice(0, 32);
}

export function encodeMotionTrack(track: MotionTrack): Buffer {
  const byteLengths = Object.fromEntries(FIELDS.map((f) => [f, track[f].byteLength])) as Record<ArrayField, number>;
  const header: CacheHeader = { version: track.version, fps: track.fps, frameCount: track.frameCount, landmarkCount: track.landmarkCount, byteLengths };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([length, json, ...FIELDS.map((f) => Buffer.from(track[f].buffer, track[f].byteOffset, track[f].byteLength))]);
}

export function decodeMotionTrack(bytes: Buffer): MotionTrack {
  const jsonLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + jsonLength).toString('utf8')) as CacheHeader;
  if (header.version !== MOTION_TRACK_VERSION) throw new Error(`motion cache version ${header.version} is stale`);
  let offset = 4 + jsonLength;
  const take = (field: ArrayField) => {
    const length = header.byteLengths[field];
    const copy = new Uint8Array(bytes.subarray(offset, offset + length)); // aligned copy
    offset += length;
    if (copy.length !== length) throw new Error('motion cache file is truncated');
    return copy.buffer;
  };
  return {
    version: header.version,
    fps: header.fps,
    frameCount: header.frameCount,
    landmarkCount: header.landmarkCount,
    rotations: new Float32Array(take('rotations')),
    scales: new Float32Array(take('scales')),
    translations: new Float32Array(take('translations')),
    expressions: new Float32Array(take('expressions')),
    poses: new Float32Array(take('poses')),
    found: new Uint8Array(take('found')),
  };
}

export interface MotionCache {
  get(key: string): Promise<MotionTrack | null>;
  put(key: string, track: MotionTrack): Promise<void>;
}

export function createMotionCache(dir: string): MotionCache {
  const fileFor = (key: string) => path.join(dir, `${key}.motion`);
  return {
    async get(key) {
      try {
        return decodeMotionTrack(await readFile(fileFor(key)));
      } catch {
        return null; // missing, stale or damaged: analyse again
      }
    },
    async put(key, track) {
      await mkdir(dir, { recursive: true });
      // Unique per process and thread: two render threads may analyse the same clip at once.
      const temp = `${fileFor(key)}.${process.pid}-${threadId}.tmp`;
      await writeFile(temp, encodeMotionTrack(track));
      await rename(temp, fileFor(key)); // atomic: concurrent readers never see half a file
    },
  };
}
