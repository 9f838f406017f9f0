// Cache of analysed driving clips, keyed by a content hash of the clip and the analysis settings, so each clip
// is analysed once per machine: on disk (exact tracks, track-codec.ts; a file of another track version or a
// damaged one reads as missing) and, for the tracks used last, decoded in memory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { MOTION_TRACK_VERSION, type MotionTrack } from './motion-track.ts';
import { decodeMotionTrack, encodeMotionTrack } from './track-codec.ts';

/** sha256 of a file's bytes (streamed) plus the settings that shape its analysis and the analyser's version. */
export async function motionCacheKey(clipPath: string, settings: Record<string, unknown>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(clipPath)) hash.update(chunk as Buffer);
  hash.update(JSON.stringify({ ...settings, trackVersion: MOTION_TRACK_VERSION }));
  return hash.digest('hex').slice(0, 32);
}

export interface MotionCache {
  get(key: string): Promise<MotionTrack | null>;
  /** Keeps the track in memory and on disk. */
  put(key: string, track: MotionTrack): Promise<void>;
  /** Keeps the track in memory only (it has a home elsewhere, e.g. shipped with a template). */
  hold(key: string, track: MotionTrack): void;
}

/** Tracks kept decoded in memory: every built-in template fits (~0.3 MB each). */
const MEMORY_ENTRIES = 16;

export function createMotionCache(dir: string): MotionCache {
  const fileFor = (key: string) => path.join(dir, `${key}.motion`);
  const memory = new Map<string, MotionTrack>();
  const hold = (key: string, track: MotionTrack) => {
    memory.delete(key);
    memory.set(key, track); // most recently used last
    while (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value as string);
  };
  return {
    async get(key) {
      const held = memory.get(key);
      if (held) {
        hold(key, held);
        return held;
      }
      try {
        const track = decodeMotionTrack(await readFile(fileFor(key)));
        hold(key, track);
        return track;
      } catch {
        return null; // missing, stale or damaged: analyse again
      }
    },
    async put(key, track) {
      hold(key, track);
      await mkdir(dir, { recursive: true });
      // Unique per process and thread: two render threads may analyse the same clip at once.
      const temp = `${fileFor(key)}.${process.pid}-${threadId}.tmp`;
      await writeFile(temp, encodeMotionTrack(track));
      await rename(temp, fileFor(key)); // atomic: concurrent readers never see half a file
    },
    hold,
  };
}
