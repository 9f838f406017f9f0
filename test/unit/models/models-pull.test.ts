// `memeloom models pull` / `models list` against a local fake hub (never the real one): a normal pull, resume
// after a cut connection and from an earlier run's .part file, corrupt bodies caught by sha256 / git sha1 and
// fetched again, HF_TOKEN sent only to the hub and never printed, and the present/missing listing.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runModelsList, runModelsPull } from '../../../src/cli/models-pull.ts';
import { type HubFile, filesForPreset } from '../../../src/models/model-files.ts';
import { checkModelFiles, localPathOf, partialPath } from '../../../src/models/models-dir.ts';
import { pullModels } from '../../../src/models/pull-models.ts';
import { FakeHub } from './fake-hub.ts';

const MOTION: HubFile = { repo: 'songkey/hm5_motion', path: 'diffusion_pytorch_model.safetensors', role: 'motion adapter' };
const MOTION_CONFIG: HubFile = { repo: 'songkey/hm5_motion', path: 'config.json', role: 'motion adapter' };
const key = (f: HubFile) => `${f.repo}/${f.path}`;

function sink(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

let hub: FakeHub;
let dir: string;

beforeEach(async () => {
  hub = new FakeHub();
  for (const file of filesForPreset('realistic')) hub.add(file.repo, file.path);
  await hub.start();
  dir = await mkdtemp(path.join(tmpdir(), 'memeloom-models-'));
});

afterEach(async () => {
  await hub.stop();
  await rm(dir, { recursive: true, force: true });
});

function pull(files: HubFile[], extra: Partial<Parameters<typeof pullModels>[0]> = {}) {
  return pullModels({ modelsDir: dir, files, connection: { endpoint: hub.hubUrl }, retryDelayMs: 5, ...extra });
}

describe('models pull', () => {
  it('downloads every file of the preset through the redirects, then finds them up to date', async () => {
    const out = sink();
    const err = sink();
    const files = filesForPreset('realistic');
    const code = await runModelsPull(['--preset', 'realistic', '--dir', dir], { env: { HF_ENDPOINT: hub.hubUrl }, stdout: out.stream, stderr: err.stream, retryDelayMs: 5 });
    expect(code).toBe(0);
    for (const file of files) expect((await readFile(localPathOf(dir, file))).equals(hub.body(key(file)))).toBe(true);
    const lfs = files.filter((f) => /\.(safetensors|onnx)$/.test(f.path));
    expect(hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET')).toHaveLength(lfs.length);
    expect(out.text().match(/downloaded /g)).toHaveLength(files.length);

    const before = hub.requests.length;
    const again = sink();
    await runModelsPull(['--dir', dir], { env: { HF_ENDPOINT: hub.hubUrl }, stdout: again.stream, stderr: sink().stream });
    expect(again.text().match(/up-to-date /g)).toHaveLength(files.length);
    expect(hub.requests.slice(before).every((r) => r.method === 'HEAD')).toBe(true);
  });

  it('resumes with a Range request after the connection is cut mid-file', async () => {
    hub.cutOnce.add(key(MOTION));
    const [report] = await pull([MOTION]);
    expect(report.networkRetries).toBe(1);
    const gets = hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(hub.body(key(MOTION)).length);
    expect((await readFile(localPathOf(dir, MOTION))).equals(hub.body(key(MOTION)))).toBe(true);
  });

  it('gives up on a stalled connection after the idle timeout and resumes it', async () => {
    hub.stallOnce.add(key(MOTION));
    const [report] = await pull([MOTION], { idleTimeoutMs: 200 });
    expect(report.networkRetries).toBe(1);
    const gets = hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets[1].range).toBe(`bytes=${hub.body(key(MOTION)).length >> 1}-`);
    expect((await readFile(localPathOf(dir, MOTION))).equals(hub.body(key(MOTION)))).toBe(true);
  });

  it('gives up with a coded error after repeated 503s without progress, keeping nothing half-done in place', async () => {
    hub.unavailable.add(key(MOTION));
    await expect(pull([MOTION], { maxAttempts: 3 })).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', details: { retries: 3 } });
    expect(hub.requests.filter((r) => r.server === 'cdn')).toHaveLength(3);
    const [status] = await checkModelFiles(dir, [MOTION]);
    expect(status.state).not.toBe('present');
  });

  it("resumes an earlier run's .part file of the same version, and discards one of another version", async () => {
    const body = hub.body(key(MOTION));
    const part = partialPath(localPathOf(dir, MOTION));
    await mkdir(path.dirname(part), { recursive: true });
    await writeFile(part, body.subarray(0, 10_000));
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(body).digest('hex');
    await writeFile(`${part}.json`, JSON.stringify({ etag: sha, size: body.length }));
    const [report] = await pull([MOTION]);
    expect(report.resumedFrom).toBe(10_000);
    expect(hub.requests.find((r) => r.server === 'cdn')?.range).toBe('bytes=10000-');
    expect((await readFile(localPathOf(dir, MOTION))).equals(body)).toBe(true);

    await rm(localPathOf(dir, MOTION));
    await writeFile(part, Buffer.alloc(10_000, 7));
    await writeFile(`${part}.json`, JSON.stringify({ etag: 'an-older-version', size: body.length }));
    const [fresh] = await pull([MOTION]);
    expect(fresh.resumedFrom).toBe(0);
    expect((await readFile(localPathOf(dir, MOTION))).equals(body)).toBe(true);
  });

  it('detects a corrupted body by sha256 (LFS) and git sha1 (small files) and fetches it again', async () => {
    hub.corruptOnce.add(key(MOTION));
    hub.corruptOnce.add(key(MOTION_CONFIG));
    const lines: string[] = [];
    const reports = await pull([MOTION, MOTION_CONFIG], { log: (l) => lines.push(l) });
    expect(reports.map((r) => r.refetches)).toEqual([1, 1]);
    expect(lines.filter((l) => l.includes('checksum mismatch'))).toHaveLength(2);
    for (const file of [MOTION, MOTION_CONFIG]) expect((await readFile(localPathOf(dir, file))).equals(hub.body(key(file)))).toBe(true);
  });

  it('--verify re-hashes present files and replaces one corrupted on disk', async () => {
    await pull([MOTION]);
    const local = localPathOf(dir, MOTION);
    const damaged = await readFile(local);
    damaged[100] ^= 1;
    await writeFile(local, damaged);
    const [trusted] = await pull([MOTION]);
    expect(trusted.outcome).toBe('up-to-date');
    const [checked] = await pull([MOTION], { verify: true });
    expect(checked.outcome).toBe('replaced');
    expect((await readFile(local)).equals(hub.body(key(MOTION)))).toBe(true);
    const [clean] = await pull([MOTION], { verify: true });
    expect(clean.outcome).toBe('verified');
  });

  it('sends HF_TOKEN as a Bearer token to the hub only, and never prints it', async () => {
    hub.requiredToken = 'hf_SecretToken123';
    const out = sink();
    const err = sink();
    err.stream.isTTY = true; // draw the progress bar too: it must not leak the token either
    await runModelsPull(['--dir', dir, '--preset', 'realistic'], { env: { HF_ENDPOINT: hub.hubUrl, HF_TOKEN: 'hf_SecretToken123' }, stdout: out.stream, stderr: err.stream });
    const hubRequests = hub.requests.filter((r) => r.server === 'hub');
    expect(hubRequests.length).toBeGreaterThan(0);
    expect(hubRequests.every((r) => r.authorization === 'Bearer hf_SecretToken123')).toBe(true);
    expect(hub.requests.filter((r) => r.server === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
    expect(out.text() + err.text()).not.toContain('hf_SecretToken123');
    expect(out.text()).toContain('with HF_TOKEN');
  });

  it('fails with a coded error naming HF_TOKEN when the hub refuses, and on unknown files or presets', async () => {
    hub.requiredToken = 'hf_x';
    await expect(pull([MOTION])).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('HF_TOKEN') });
    hub.requiredToken = undefined;
    await expect(pull([{ repo: 'songkey/nope', path: 'x.onnx', role: '' }])).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: expect.stringContaining('not found') });
    await expect(runModelsPull(['--preset', 'nope', '--dir', dir], { env: {}, stdout: sink().stream })).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

describe('models list', () => {
  it('shows present, partial and missing files of the preset', async () => {
    const files = filesForPreset('toon');
    const first = sink();
    expect(await runModelsList(['--preset', 'toon', '--dir', dir], { env: {}, stdout: first.stream })).toBe(0);
    expect(first.text()).toContain(`0 of ${files.length} files present`);

    await pull([MOTION, MOTION_CONFIG]);
    const textEncoder = files[1];
    const part = partialPath(localPathOf(dir, textEncoder));
    await mkdir(path.dirname(part), { recursive: true });
    await writeFile(part, Buffer.alloc(123));
    const out = sink();
    await runModelsList(['--preset', 'toon', '--dir', dir], { env: {}, stdout: out.stream });
    const text = out.text();
    expect(text).toContain(`2 of ${files.length} files present`);
    expect(text).toMatch(/songkey\/hm5_motion\/diffusion_pytorch_model\.safetensors\s+present/);
    expect(text).toMatch(new RegExp(`${textEncoder.repo}/${textEncoder.path}\\s+partial`));
    expect(text).toMatch(/songkey\/disney-pixar-cartoon-b\/unet\/diffusion_pytorch_model\.safetensors\s+missing/);
    expect(text).toContain('memeloom models pull --preset toon');
    const states = await checkModelFiles(dir, files);
    expect(states.filter((s) => s.state === 'missing')).toHaveLength(files.length - 3);
  });
});
