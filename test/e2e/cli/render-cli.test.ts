// The `memeloom` CLI end to end, as a child process: the README's main job and every bad-input error.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegPath } from '../../../src/pipeline/media/ffmpeg.ts';
import { driveVideo, REPO_ROOT, referenceImage } from '../../helpers/fixtures.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function memeloom(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/memeloom.js'), ...args], { cwd, env: { ...process.env, MEMELOOM_DEBUG: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function expectOneLineError(result: CliResult, code: string): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(code);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('memeloom CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memeloom-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('renders the README main job to an animated GIF and prints a summary', async () => {
    const out = path.join(dir, 'meme.gif');
    const result = await memeloom(['render', '--photo', path.join(REPO_ROOT, 'assets/example-photo.png'), '--template', 'nice', '--out', out], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*meme\.gif: \d+ frames @ 12 fps, 512x512/);
    expect(result.stdout).toMatch(/engine warp/);
    const bytes = await readFile(out);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const meta = await sharp(bytes, { animated: true }).metadata();
    expect(meta.pages).toBeGreaterThan(30);
    expect(bytes.length).toBeLessThan(4 * 1024 * 1024);
  });

  it('warns on stderr about a caption character no bundled font has, and still renders', async () => {
    const out = path.join(dir, 'note.gif');
    const args = ['render', '--photo', path.join(REPO_ROOT, 'assets/example-photo.png'), '--template', 'nice', '--max-side', '256'];
    const result = await memeloom([...args, '--caption-bottom', 'NICE 𓀀', '--out', out], dir);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: no bundled font has "𓀀" \(U\+13000\)/)]);
    expect((await stat(out)).size).toBeGreaterThan(1000);
  });

  it('lists the templates', async () => {
    const result = await memeloom(['templates'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.trim()).length).toBeGreaterThanOrEqual(11);
    expect(result.stdout).toContain('nice');
  });

  it('reports a missing photo, an unknown template and an unwritable output in one line each', async () => {
    expectOneLineError(await memeloom(['render', '--photo', path.join(dir, 'nope.jpg'), '--template', 'nice'], dir), 'FILE_NOT_FOUND');
    const photo = referenceImage('trump.jpg');
    expectOneLineError(await memeloom(['render', '--photo', photo, '--template', 'no-such-template'], dir), 'UNKNOWN_TEMPLATE');
    expectOneLineError(await memeloom(['render', '--photo', photo, '--template', 'nice', '--out', path.join(dir, 'missing-dir', 'x.gif')], dir), 'OUTPUT_UNWRITABLE');
  });

  it('names the known styles for an unknown --style, and says a style needs HelloMeme when it is not installed', async () => {
    const photo = referenceImage('trump.jpg');
    const unknown = await memeloom(['render', '--photo', photo, '--template', 'pout', '--style', 'vaporwave'], dir);
    expectOneLineError(unknown, 'BAD_OPTION');
    expect(unknown.stderr).toContain('known: baby-face, more-details');
    const noModels = await memeloom(['render', '--photo', photo, '--template', 'pout', '--style', 'ghibli', '--out', path.join(dir, 'styled.gif')], dir, { MEMELOOM_MODELS_DIR: path.join(dir, 'no-models') });
    expectOneLineError(noModels, 'BAD_OPTION');
    expect(noModels.stderr).toContain('styles need the HelloMeme engine');
  });

  it('takes the format from --out when --format is not given, and refuses a contradiction', async () => {
    const photo = referenceImage('trump.jpg');
    const out = path.join(dir, 'from-extension.mp4');
    const result = await memeloom(['render', '--photo', photo, '--template', 'pout', '--out', out], dir);
    expect(result.code).toBe(0);
    expect((await readFile(out)).subarray(4, 8).toString('latin1')).toBe('ftyp');
    expectOneLineError(await memeloom(['render', '--photo', photo, '--template', 'pout', '--format', 'gif', '--out', path.join(dir, 'x.mp4')], dir), 'BAD_OPTION');
  });

  it('names the execution providers when --device is not one of them', async () => {
    const result = await memeloom(['render', '--photo', referenceImage('trump.jpg'), '--template', 'nice', '--device', 'tpu'], dir);
    expectOneLineError(result, 'BAD_OPTION');
    expect(result.stderr).toContain('auto, cpu, cuda, webgpu');
  });

  it('refuses a trans ratio outside 0..1, saying the range', async () => {
    const result = await memeloom(['render', '--photo', referenceImage('trump.jpg'), '--template', 'pout', '--trans-ratio', '1.5'], dir);
    expectOneLineError(result, 'BAD_OPTION');
    expect(result.stderr).toContain('--trans-ratio must be a number from 0 to 1');
  });

  it('answers --help for every command with its usage', async () => {
    for (const command of ['render', 'templates', 'start', 'worker', 'graph', 'models', 'discord', 'bench', 'eval']) {
      const result = await memeloom([command, '--help'], dir);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(/^usage:/);
    }
  });

  it('calls an unknown or incomplete option a BAD_OPTION and points at --help', async () => {
    const photo = referenceImage('trump.jpg');
    for (const args of [['--verbose'], ['--template']]) {
      const result = await memeloom(['render', '--photo', photo, ...args], dir);
      expectOneLineError(result, 'BAD_OPTION');
      expect(result.stderr).toContain(args[0]);
      expect(result.stderr).toContain('memeloom render --help');
    }
  });

  it('refuses a file that is not an image, an oversize file and a decompression bomb', async () => {
    const text = path.join(dir, 'notes.jpg');
    await writeFile(text, 'this is not a picture\n');
    expectOneLineError(await memeloom(['render', '--photo', text, '--template', 'nice'], dir), 'NOT_AN_IMAGE');
    const huge = path.join(dir, 'huge.jpg');
    await writeFile(huge, Buffer.alloc(21 * 1024 * 1024, 1));
    expectOneLineError(await memeloom(['render', '--photo', huge, '--template', 'nice'], dir), 'IMAGE_TOO_LARGE');
    const bomb = path.join(dir, 'bomb.png');
    await sharp({ create: { width: 8000, height: 7000, channels: 3, background: 'white' } }).png({ compressionLevel: 9 }).toFile(bomb);
    expect((await stat(bomb)).size).toBeLessThan(1024 * 1024); // small on disk, 56 megapixels decoded
    expectOneLineError(await memeloom(['render', '--photo', bomb, '--template', 'nice'], dir), 'IMAGE_TOO_LARGE');
  });

  it('says NO_FACE for a photo without a face', async () => {
    const blank = path.join(dir, 'blank.png');
    await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toFile(blank);
    expectOneLineError(await memeloom(['render', '--photo', blank, '--template', 'nice'], dir), 'NO_FACE');
  });

  it('trims a driving clip over the length limit (with a note), or to --trim, and refuses non-videos', async () => {
    // A real meme clip played three times over: about 14 s of a moving face.
    const long = path.join(dir, 'long-face.mp4');
    await new Promise<void>((resolve, reject) =>
      execFile(
        resolveFfmpegPath(),
        ['-v', 'error', '-stream_loop', '3', '-i', driveVideo('nice.mp4'), '-t', '14', '-vf', 'scale=256:-2', '-an', '-c:v', 'libx264', '-preset', 'ultrafast', long],
        (e) => (e ? reject(e) : resolve()),
      ),
    );
    const photo = referenceImage('trump.jpg');
    const env = { MEMELOOM_MAX_DRIVER_SECONDS: '3' };
    const trimmed = await memeloom(['render', '--photo', photo, '--driver', long, '--out', path.join(dir, 'trimmed.mp4'), '--fps', '8'], dir, env);
    expect(trimmed.code).toBe(0);
    expect(trimmed.stderr).toMatch(/^note: using 0–3 s of the clip \(14\.0 s long\): clips are limited to 3 s/);
    expect(await durationOf(path.join(dir, 'trimmed.mp4'))).toBeCloseTo(3, 0);
    const span = await memeloom(['render', '--photo', photo, '--driver', long, '--trim', '6:8', '--out', path.join(dir, 'span.mp4'), '--fps', '8'], dir, env);
    expect(span.code).toBe(0);
    expect(span.stderr).toBe('');
    expect(await durationOf(path.join(dir, 'span.mp4'))).toBeCloseTo(2, 0);
    expectOneLineError(await memeloom(['render', '--photo', photo, '--driver', long, '--trim', '8:6'], dir), 'BAD_OPTION');
    const fake = path.join(dir, 'fake.mp4');
    await writeFile(fake, 'not a video at all');
    const result = await memeloom(['render', '--photo', photo, '--driver', fake], dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/NOT_A_VIDEO|VIDEO_UNREADABLE/);
  });

  it('refuses photos and captions over the configured limits, naming the limit', async () => {
    const photo = referenceImage('trump.jpg');
    const small = await memeloom(['render', '--photo', photo, '--template', 'nice'], dir, { MEMELOOM_MAX_PHOTO_BYTES: '20000' });
    expectOneLineError(small, 'IMAGE_TOO_LARGE');
    expect(small.stderr).toContain('the limit is 20 KB');
    const caption = await memeloom(['render', '--photo', photo, '--template', 'nice', '--caption-top', 'x'.repeat(81)], dir);
    expectOneLineError(caption, 'CAPTION_TOO_LONG');
    expect(caption.stderr).toContain('the limit is 80');
  });
});

/** Seconds an MP4 plays, from ffmpeg's own report. */
async function durationOf(file: string): Promise<number> {
  const stderr = await new Promise<string>((resolve) => execFile(resolveFfmpegPath(), ['-hide_banner', '-i', file], (_e, _out, err) => resolve(err)));
  const match = /Duration: (\d+):(\d{2}):(\d{2}\.\d+)/.exec(stderr)!;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}
