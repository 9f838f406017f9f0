// Test helpers for the media tests: fixture paths, synthetic moving frames, ffmpeg-made sample files.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../../../src/pipeline/media/ffmpeg.ts';
import type { FrameSequence } from '../../../../src/pipeline/types.ts';

export { DRIVE_IMAGES, driveVideo, referenceImage } from '../../../helpers/fixtures.ts';

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'memeloom-media-test-'));
}

/** Deterministic xorshift so "noise" frames are the same on every run. */
function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** A moving diagonal gradient with a bouncing square and some grain: busy enough to stress encoders. */
export function syntheticFrames(width: number, height: number, fps: number, seconds: number, noise = 24, seed = 7): FrameSequence {
  const random = rng(seed);
  const count = Math.round(fps * seconds);
  const frames: Uint8Array[] = [];
  for (let f = 0; f < count; f++) {
    const frame = new Uint8Array(width * height * 3);
    const shift = (f * 256) / count;
    const boxX = Math.round((width / 2) * (1 + Math.sin((f / count) * Math.PI * 2)) * 0.7);
    const boxY = Math.round(height * 0.3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        const inBox = x >= boxX && x < boxX + width / 5 && y >= boxY && y < boxY + height / 5;
        const grain = (random() - 0.5) * noise;
        frame[i] = inBox ? 230 : clamp(((x + y) * 255) / (width + height) + shift + grain);
        frame[i + 1] = inBox ? 40 : clamp((y * 255) / height - shift / 2 + grain);
        frame[i + 2] = inBox ? 60 : clamp(((width - x) * 200) / width + grain);
      }
    }
    frames.push(frame);
  }
  return { width, height, fps, frames };
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, value));
}

/** Makes a small test clip with ffmpeg's lavfi test source. */
export async function makeClip(file: string, outputArgs: string[], source = 'testsrc=size=96x64:rate=10', seconds = 2): Promise<string> {
  await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds), ...outputArgs, file], { stdoutToBuffer: false });
  return file;
}
