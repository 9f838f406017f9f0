// How `models pull` behaves when the network does: a server that accepts connections and never answers, a body
// that stops, a refused port, a refused proxy, and downloads through a proxy. Each failure must end in a
// network-specific code whose message says what to check, and a long wait must show output while it lasts.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runModelsPull } from '../../../src/cli/models-pull.ts';
import { localPathOf } from '../../../src/models/models-dir.ts';
import { pullSettingsFrom, reachabilityHint } from '../../../src/models/pull-settings.ts';
import { DEFAULT_STALL_TIMEOUT_MS, STALL_RETRIES } from '../../../src/models/transfer-retry.ts';
import { refusedUrl } from './fake-hub.ts';
import { FakeProxy } from './fake-proxy.ts';
import { MOTION, key, usePullFixture } from './pull-fixture.ts';
import { sink } from './sink.ts';

const f = usePullFixture();

describe('models pull on a bad network', () => {
  it('waits 30 s for a silent transfer by default, 3 retries, and the variable changes the wait', () => {
    expect(reachabilityHint(pullSettingsFrom({}))).toBe(
      'check HF_ENDPOINT (https://huggingface.co, the default), the proxy (HTTPS_PROXY is not set; behind a proxy, set it) and the network, ' +
        'or set MEMELOOM_MODELS_SOURCE=modelscope to download the same files from ModelScope',
    );
    expect(DEFAULT_STALL_TIMEOUT_MS).toBe(30_000);
    expect(STALL_RETRIES).toBe(3);
    expect(pullSettingsFrom({}).stallTimeoutMs).toBe(30_000);
    expect(pullSettingsFrom({ MEMELOOM_MODELS_STALL_TIMEOUT_MS: '5000' }).stallTimeoutMs).toBe(5000);
    expect(() => pullSettingsFrom({ MEMELOOM_MODELS_STALL_TIMEOUT_MS: '30s' })).toThrow(/MEMELOOM_MODELS_STALL_TIMEOUT_MS/);
  });

  it('notices a server that accepts the connection and never answers, says so while waiting, retries 3 times, then DOWNLOAD_STALLED', async () => {
    f.hub.silent = true;
    const out = sink();
    const err = sink();
    const started = Date.now();
    const env = { HF_ENDPOINT: f.hub.hubUrl, MEMELOOM_MODELS_STALL_TIMEOUT_MS: '300' };
    const failure = runModelsPull(['--dir', f.dir], { env, stdout: out.stream, stderr: err.stream, retryDelayMs: 5 });
    await expect(failure).rejects.toMatchObject({ code: 'DOWNLOAD_STALLED', details: { retries: 4 } });
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(4 * 300);
    expect(elapsedMs).toBeLessThan(4 * 300 + 2000);
    expect(f.hub.requests.filter((r) => r.method === 'HEAD')).toHaveLength(1 + STALL_RETRIES);

    const message = await failure.catch((e: Error) => e.message);
    const host = new URL(f.hub.hubUrl).host;
    expect(message).toContain(`no data from ${host} for 0.3 s, 4 times in a row`);
    expect(message).toContain(`HF_ENDPOINT (${f.hub.hubUrl})`);
    expect(message).toContain('the proxy (HTTP_PROXY is not set; behind a proxy, set it)');
    expect(message).toContain('MEMELOOM_MODELS_SOURCE=modelscope');

    // Without a terminal: a note a third of the way into each silent attempt, before its retry line.
    const lines = err.text().trim().split('\n');
    const waiting = lines.filter((l) => l.includes(`no data from ${host} for 0.1 s; waiting up to 0.3 s before resuming`));
    expect(waiting).toHaveLength(4);
    expect(lines.filter((l) => /retry \d of 3 now$/.test(l))).toHaveLength(3);
    expect(lines.indexOf(waiting[0])).toBeLessThan(lines.findIndex((l) => l.includes('retry 1 of 3')));
  });

  it('shows the silence live on a terminal', async () => {
    f.hub.silent = true;
    const err = sink(true);
    const env = { HF_ENDPOINT: f.hub.hubUrl, MEMELOOM_MODELS_STALL_TIMEOUT_MS: '450' };
    await expect(runModelsPull(['--dir', f.dir], { env, stdout: sink().stream, stderr: err.stream })).rejects.toMatchObject({ code: 'DOWNLOAD_STALLED' });
    const redraws = err.text().split('\r\x1b[2K');
    expect(redraws.some((line) => /text_encoder\/config\.json \[\.{20}\] +0% 0 B no data from 127\.0\.0\.1:\d+ for 0\.[2-4] s \(resume at 0\.4 s\)$/.test(line))).toBe(true);
  });

  it('resumes a body that stops with a Range request each time, then gives up with DOWNLOAD_STALLED, keeping the bytes for the next run', async () => {
    f.hub.stallAlways.add(key(MOTION));
    const half = f.hub.body(key(MOTION)).length >> 1;
    await expect(f.pull([MOTION], { stallTimeoutMs: 200, hint: 'check the test' })).rejects.toMatchObject({
      code: 'DOWNLOAD_STALLED',
      message: expect.stringMatching(/^songkey\/hm5_motion\/diffusion_pytorch_model\.safetensors: no data from .* for 0\.2 s, 4 times in a row; check the test$/),
    });
    const gets = f.hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets.map((g) => g.range)).toEqual([undefined, `bytes=${half}-`, `bytes=${half}-`, `bytes=${half}-`]);

    f.hub.stallAlways.delete(key(MOTION));
    const [report] = await f.pull([MOTION]);
    expect(report.resumedFrom).toBe(half);
    expect((await readFile(localPathOf(f.dir, MOTION))).equals(f.hub.body(key(MOTION)))).toBe(true);
  });

  it('fails fast with NETWORK_UNREACHABLE on a refused port, naming HF_ENDPOINT, the proxy and ModelScope', async () => {
    const url = await refusedUrl();
    const failure = runModelsPull(['--dir', f.dir], { env: { HF_ENDPOINT: url }, stdout: sink().stream, stderr: sink().stream, retryDelayMs: 5 });
    await expect(failure).rejects.toMatchObject({ code: 'NETWORK_UNREACHABLE' });
    const message = await failure.catch((e: Error) => e.message);
    expect(message).toContain('connection refused (ECONNREFUSED) (3 attempts)');
    expect(message).toContain(`check HF_ENDPOINT (${url})`);
    expect(message).toContain('HTTP_PROXY is not set');
    expect(message).toContain('MEMELOOM_MODELS_SOURCE=modelscope');

    const modelscope = runModelsPull(['--dir', f.dir], { env: { MEMELOOM_MODELS_SOURCE: 'modelscope', MODELSCOPE_DOMAIN: url }, stdout: sink().stream, stderr: sink().stream, retryDelayMs: 5 });
    await expect(modelscope).rejects.toMatchObject({ code: 'NETWORK_UNREACHABLE', message: expect.stringContaining(`check MODELSCOPE_DOMAIN (${url})`) });
  });

  it('names a refused proxy without printing its password', async () => {
    const proxy = (await refusedUrl()).replace('http://', 'http://me:s3cret@');
    const failure = runModelsPull(['--dir', f.dir], { env: { HF_ENDPOINT: f.hub.hubUrl, HTTP_PROXY: proxy }, stdout: sink().stream, stderr: sink().stream, retryDelayMs: 5 });
    await expect(failure).rejects.toMatchObject({ code: 'NETWORK_UNREACHABLE' });
    const message = await failure.catch((e: Error) => e.message);
    expect(message).toMatch(/through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+: connection refused/);
    expect(message).not.toContain('s3cret');
    expect(f.hub.requests).toHaveLength(0);
  });

  it('sends the proxy credentials from the URL, and names a proxy that asks for them (407) without retrying', async () => {
    const proxy = new FakeProxy();
    proxy.requiredCredentials = 'me:s3cret';
    await proxy.start();
    try {
      const refused = runModelsPull(['--dir', f.dir], { env: { HF_ENDPOINT: f.hub.hubUrl, HTTP_PROXY: proxy.url }, stdout: sink().stream, stderr: sink().stream });
      await expect(refused).rejects.toMatchObject({
        code: 'NETWORK_UNREACHABLE',
        message: expect.stringContaining(`through the proxy ${proxy.url}: the proxy answered HTTP 407 (proxy authentication required) (1 attempt); check HF_ENDPOINT`),
      });
      const withCredentials = proxy.url.replace('http://', 'http://me:s3cret@');
      const [report] = await f.pull([MOTION], { source: f.source({ HTTP_PROXY: withCredentials }) });
      expect(report.outcome).toBe('downloaded');
    } finally {
      await proxy.stop();
    }
  });

  it('goes through HTTP_PROXY to the hub and its CDN, and straight to hosts NO_PROXY lists', async () => {
    const proxy = new FakeProxy();
    await proxy.start();
    try {
      const [report] = await f.pull([MOTION], { source: f.source({ HTTP_PROXY: proxy.url }) });
      expect(report.outcome).toBe('downloaded');
      const [hubHost, cdnHost] = [f.hub.hubUrl, f.hub.cdnUrl].map((u) => new URL(u).host);
      expect(proxy.targets.some((t) => t.includes(hubHost))).toBe(true);
      expect(proxy.targets.some((t) => t.includes(cdnHost))).toBe(true);

      const seen = proxy.targets.length;
      await f.pull([{ ...MOTION, path: 'config.json' }], { source: f.source({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }) });
      expect(proxy.targets).toHaveLength(seen);
    } finally {
      await proxy.stop();
    }
  });
});
