// `memeloom models pull` against a local fake Hugging Face hub (never the real one): a normal pull, resume after
// a cut connection and from an earlier run's .part file, corrupt bodies caught by sha256 / git sha1 and fetched
// again, HF_TOKEN sent only to the hub and never printed, and coded refusals.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelsPull } from '../../../src/cli/models-pull.ts';
import { filesForPreset } from '../../../src/models/model-files.ts';
import { checkModelFiles, localPathOf, partialPath } from '../../../src/models/models-dir.ts';
import { MOTION, MOTION_CONFIG, key, usePullFixture } from './pull-fixture.ts';
import { sink } from './sink.ts';

const f = usePullFixture();

describe('models pull', () => {
  it('downloads every file of the preset through the redirects, one line per file, then finds them up to date', async () => {
    const out = sink();
    const err = sink();
    const files = filesForPreset('realistic');
    const code = await runModelsPull(['--preset', 'realistic', '--dir', f.dir], { env: { HF_ENDPOINT: f.hub.hubUrl }, stdout: out.stream, stderr: err.stream, retryDelayMs: 5 });
    expect(code).toBe(0);
    for (const file of files) expect((await readFile(localPathOf(f.dir, file))).equals(f.hub.body(key(file)))).toBe(true);
    const lfs = files.filter((file) => /\.(safetensors|onnx|pth)$/.test(file.path));
    expect(f.hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET')).toHaveLength(lfs.length);
    expect(out.text()).toMatch(new RegExp(`^pulling ${files.length} files \\(≈\\d+\\.\\d+ GiB\\) for preset realistic from Hugging Face \\(${f.hub.hubUrl}\\)`));
    expect(out.text().match(/^\[\d+\/\d+\] downloaded /gm)).toHaveLength(files.length);
    // Not a terminal: no progress bar; nothing was retried.
    expect(err.text()).not.toMatch(/\r|retry/);

    const before = f.hub.requests.length;
    const again = sink();
    await runModelsPull(['--dir', f.dir], { env: { HF_ENDPOINT: f.hub.hubUrl }, stdout: again.stream, stderr: sink().stream });
    expect(again.text().match(/up-to-date /g)).toHaveLength(files.length);
    expect(f.hub.requests.slice(before).every((r) => r.method === 'HEAD')).toBe(true);
  });

  it('--style fetches the named LoRA styles from songkey/loras_sd_1_5 as well, and names the known ones for a typo', async () => {
    const ghibli = { repo: 'songkey/loras_sd_1_5', path: 'ghibli_anime_v1.safetensors' };
    const ink = { repo: 'songkey/loras_sd_1_5', path: 'zyd232_InkStyle_v1_0.safetensors' };
    for (const file of [ghibli, ink]) f.hub.add(file.repo, file.path);
    const out = sink();
    const code = await runModelsPull(['--dir', f.dir, '--style', 'ghibli,ink'], { env: { HF_ENDPOINT: f.hub.hubUrl }, stdout: out.stream, stderr: sink().stream, retryDelayMs: 5 });
    expect(code).toBe(0);
    for (const file of [ghibli, ink]) expect((await readFile(path.join(f.dir, file.repo, file.path))).equals(f.hub.body(`${file.repo}/${file.path}`))).toBe(true);
    expect(out.text()).toMatch(new RegExp(`^pulling ${filesForPreset('realistic').length + 2} files .* for preset realistic with styles ghibli, ink from`));
    await expect(runModelsPull(['--dir', f.dir, '--style', 'vaporwave'], { env: { HF_ENDPOINT: f.hub.hubUrl }, stdout: sink().stream, stderr: sink().stream })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringContaining('known: baby-face') });
  });

  it('draws bytes, rate and ETA on a terminal', async () => {
    const err = sink(true);
    const big = f.hub.add(MOTION.repo, MOTION.path, Buffer.alloc(8 * 1024 * 1024, 3));
    f.hub.trickle.add(key(MOTION));
    await runModelsPull(['--dir', f.dir, '--preset', 'realistic'], { env: { HF_ENDPOINT: f.hub.hubUrl }, stdout: sink().stream, stderr: err.stream });
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(big)).toBe(true);
    // At least one redraw of a multi-chunk file: name, bar, percent, sizes, rate and ETA.
    const redraws = err.text().split('\r\x1b[2K');
    expect(redraws.some((line) => /hm5_motion\/diffusion_pytorch_model\.safetensors \[[#.]{20}\] +\d+% [\d.]+ [KMG]iB\/8\.00 MiB [\d.]+ [KMG]?i?B\/s ETA [\d.]+ ?[sm]/.test(line))).toBe(true);
  });

  it('resumes with a Range request after the connection is cut mid-file', async () => {
    f.hub.cutOnce.add(key(MOTION));
    const [report] = await f.pull([MOTION]);
    expect(report.networkRetries).toBe(1);
    const gets = f.hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(f.hub.body(key(MOTION)).length);
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(f.hub.body(key(MOTION)))).toBe(true);
  });

  it('gives up on a stalled body after the stall timeout and resumes it with a Range request', async () => {
    f.hub.stallOnce.add(key(MOTION));
    const lines: string[] = [];
    const [report] = await f.pull([MOTION], { stallTimeoutMs: 200, log: (l) => lines.push(l) });
    expect(report.networkRetries).toBe(1);
    const gets = f.hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets[1].range).toBe(`bytes=${f.hub.body(key(MOTION)).length >> 1}-`);
    expect(lines.join('\n')).toMatch(/no data from 127\.0\.0\.1:\d+ for 0\.2 s; retry 1 of 3 now/);
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(f.hub.body(key(MOTION)))).toBe(true);
  });

  it('gives up with a coded error after repeated 503s without progress, keeping nothing half-done in place', async () => {
    f.hub.unavailable.add(key(MOTION));
    await expect(f.pull([MOTION], { maxAttempts: 3 })).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', details: { retries: 3 } });
    expect(f.hub.requests.filter((r) => r.server === 'cdn')).toHaveLength(3);
    const [status] = await checkModelFiles(f.dir, [MOTION]);
    expect(status.state).not.toBe('present');
  });

  it("resumes an earlier run's .part file of the same version, and discards one of another version", async () => {
    const body = f.hub.body(key(MOTION));
    const part = partialPath(localPathOf(f.dir, MOTION));
    await mkdir(path.dirname(part), { recursive: true });
    await writeFile(part, body.subarray(0, 10_000));
    const sha = createHash('sha256').update(body).digest('hex');
    await writeFile(`${part}.json`, JSON.stringify({ etag: sha, size: body.length }));
    const [report] = await f.pull([MOTION]);
    expect(report.resumedFrom).toBe(10_000);
    expect(f.hub.requests.find((r) => r.server === 'cdn')?.range).toBe('bytes=10000-');
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(body)).toBe(true);

    await rm(localPathOf(f.dir, MOTION));
    await writeFile(part, Buffer.alloc(10_000, 7));
    await writeFile(`${part}.json`, JSON.stringify({ etag: 'an-older-version', size: body.length }));
    const [fresh] = await f.pull([MOTION]);
    expect(fresh.resumedFrom).toBe(0);
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(body)).toBe(true);
  });

  it('detects a corrupted body by sha256 (LFS) and git sha1 (small files) and fetches it again', async () => {
    f.hub.corruptOnce.add(key(MOTION));
    f.hub.corruptOnce.add(key(MOTION_CONFIG));
    const lines: string[] = [];
    const reports = await f.pull([MOTION, MOTION_CONFIG], { log: (l) => lines.push(l) });
    expect(reports.map((r) => r.refetches)).toEqual([1, 1]);
    expect(lines.filter((l) => l.includes('checksum mismatch'))).toHaveLength(2);
    for (const file of [MOTION, MOTION_CONFIG]) expect((await readFile(localPathOf(f.dir, file))).equals(f.hub.body(key(file)))).toBe(true);
  });

  it('--verify re-hashes present files and replaces one corrupted on disk', async () => {
    await f.pull([MOTION]);
    const local = localPathOf(f.dir, MOTION);
    const damaged = await readFile(local);
    damaged[100] ^= 1;
    await writeFile(local, damaged);
    const [trusted] = await f.pull([MOTION]);
    expect(trusted.outcome).toBe('up-to-date');
    const [checked] = await f.pull([MOTION], { verify: true });
    expect(checked.outcome).toBe('replaced');
    expect((await readFile(local)).equals(f.hub.body(key(MOTION)))).toBe(true);
    const [clean] = await f.pull([MOTION], { verify: true });
    expect(clean.outcome).toBe('verified');
  });

  it('sends HF_TOKEN as a Bearer token to the hub only, and never prints it', async () => {
    f.hub.requiredToken = 'hf_SecretToken123';
    const out = sink();
    const err = sink(true); // draw the progress bar too: it must not leak the token either
    await runModelsPull(['--dir', f.dir, '--preset', 'realistic'], { env: { HF_ENDPOINT: f.hub.hubUrl, HF_TOKEN: 'hf_SecretToken123' }, stdout: out.stream, stderr: err.stream });
    const hubRequests = f.hub.requests.filter((r) => r.server === 'hub');
    expect(hubRequests.length).toBeGreaterThan(0);
    expect(hubRequests.every((r) => r.authorization === 'Bearer hf_SecretToken123')).toBe(true);
    expect(f.hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
    expect(out.text() + err.text()).not.toContain('hf_SecretToken123');
    expect(out.text()).toContain('with HF_TOKEN');
  });

  it('fails with a coded error naming HF_TOKEN when the hub refuses, and on unknown files, presets or sources', async () => {
    f.hub.requiredToken = 'hf_x';
    await expect(f.pull([MOTION])).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('HF_TOKEN') });
    f.hub.requiredToken = undefined;
    await expect(f.pull([{ repo: 'songkey/nope', path: 'x.onnx', role: '' }])).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('not found') });
    await expect(runModelsPull(['--preset', 'nope', '--dir', f.dir], { env: {}, stdout: sink().stream })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    await expect(runModelsPull(['--dir', f.dir], { env: { MEMELOOM_MODELS_SOURCE: 'gitee' }, stdout: sink().stream })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringContaining('huggingface or modelscope'),
    });
  });
});
