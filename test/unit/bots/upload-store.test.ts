import { existsSync, mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UploadStore } from '../../../src/bots/upload-store.ts';

describe('upload store', () => {
  it('stages a clip for one job and removes it on release', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'memeloom-uploads-'));
    const store = new UploadStore(dir, 0);
    const clip = await store.stageClip('job-1', Buffer.from('clip bytes'), 'mp4');
    expect(existsSync(clip.path)).toBe(true);
    await clip.release();
    expect(existsSync(clip.path)).toBe(false);
    await store.retain('job-1', [{ name: 'photo', bytes: Buffer.from('x') }]);
    expect(existsSync(path.join(dir, 'retained'))).toBe(false);
  });

  it('keeps uploads for the retention age, then sweeps them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'memeloom-uploads-'));
    const store = new UploadStore(dir, 2);
    await store.retain('old', [{ name: 'photo', bytes: Buffer.from('a') }]);
    await store.retain('new', [{ name: 'photo', bytes: Buffer.from('b') }]);
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
    utimesSync(path.join(dir, 'retained', 'old-photo'), threeHoursAgo, threeHoursAgo);
    expect(await store.sweep()).toBe(1);
    expect(readdirSync(path.join(dir, 'retained'))).toEqual(['new-photo']);
  });
});
