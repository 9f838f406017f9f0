// The fake Bot API's own checks must be able to fail, or the e2e assertions built on them prove nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveVideo } from '../../helpers/fixtures.ts';
import { FakeTelegramServer } from '../fakes/telegram/fake-telegram-server.ts';
import { ffmpegPath, probeMedia } from '../fakes/telegram/media-probe.ts';
import { boundaryOf, parseMultipart } from '../fakes/telegram/multipart.ts';

/** A 1 s 64×64 H.264 MP4, with or without a sine audio track (every fixture clip has audio). */
function testClip(withAudio: boolean): Buffer {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'fake-tg-clip-')), 'clip.mp4');
  const audio = withAudio ? ['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac'] : ['-an'];
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=64x64:r=10', ...audio, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-shortest', '-y', out];
  const run = spawnSync(ffmpegPath, args);
  if (run.status !== 0) throw new Error(String(run.stderr));
  return readFileSync(out);
}

let fake: FakeTelegramServer;
beforeAll(async () => {
  fake = await FakeTelegramServer.start({ maxPollHoldMs: 200 });
});
afterAll(async () => {
  await fake.close();
});

async function call(method: string, body: BodyInit, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fake Telegram media checks', () => {
  it('tells an H.264 MP4 without audio from one with an audio track', async () => {
    const silent = await probeMedia(testClip(false));
    expect(silent).toMatchObject({ videoCodec: 'h264', hasAudio: false, width: 64, height: 64, unreadable: false });
    expect(silent.container).toContain('mp4');
    const withAudio = await probeMedia(await readFile(driveVideo('tbh.mp4')));
    expect(withAudio.hasAudio).toBe(true);
    expect((await probeMedia(Buffer.from('not a video'))).unreadable).toBe(true);
  });

  it('refuses an animation upload with audio and accepts one without', async () => {
    const form = (bytes: Buffer) => {
      const data = new FormData();
      data.set('chat_id', '42');
      data.set('animation', new Blob([new Uint8Array(bytes)]), 'a.mp4');
      return data;
    };
    const refused = await call('sendAnimation', form(testClip(true)));
    expect(refused.status).toBe(400);
    const accepted = await call('sendAnimation', form(testClip(false)));
    expect(accepted.status).toBe(200);
    const animation = (accepted.json.result as { animation: { file_id: string } }).animation;
    // Re-sending by file_id works without an upload; an unknown id does not.
    const again = await call('sendAnimation', JSON.stringify({ chat_id: 42, animation: animation.file_id }), { 'content-type': 'application/json' });
    expect(again.status).toBe(200);
    const unknown = await call('sendAnimation', JSON.stringify({ chat_id: 42, animation: 'nope' }), { 'content-type': 'application/json' });
    expect(unknown.status).toBe(400);
  });

  it('parses multipart bodies with fields and files', () => {
    const body = Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n7\r\n--XyZ\r\nContent-Disposition: form-data; name="doc"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\r\n--XyZ--\r\n', 'latin1');
    const form = parseMultipart(body, boundaryOf('multipart/form-data; boundary=XyZ')!);
    expect(form.fields).toEqual({ chat_id: '7' });
    expect([...form.files.doc!.bytes]).toEqual([0, 1, 13, 10]);
  });

  it('serves queued updates to getUpdates and drops confirmed ones', async () => {
    fake.pushUpdate({ message: { message_id: 1 } });
    const first = await call('getUpdates', JSON.stringify({ offset: 0, timeout: 0 }), { 'content-type': 'application/json' });
    const updates = first.json.result as Array<{ update_id: number }>;
    expect(updates).toHaveLength(1);
    const next = await call('getUpdates', JSON.stringify({ offset: updates[0]!.update_id + 1, timeout: 1 }), { 'content-type': 'application/json' });
    expect(next.json.result).toEqual([]);
  });
});
