// `models pull` from ModelScope's layout (the fake hub speaks it): the same files as from Hugging Face, sizes and
// sha256 from one listing per repo, bytes from /repo?Revision=master&FilePath=..., resumable, digests checked.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runModelsList } from '../../../src/cli/models-list.ts';
import { runModelsPull } from '../../../src/cli/models-pull.ts';
import { filesForPreset } from '../../../src/models/model-files.ts';
import { localPathOf } from '../../../src/models/models-dir.ts';
import { pullSettingsFrom } from '../../../src/models/pull-settings.ts';
import { MOTION, MOTION_CONFIG, key, usePullFixture } from './pull-fixture.ts';
import { sink } from './sink.ts';

const f = usePullFixture();

describe('ModelScope as the source', () => {
  it('pulls every file of the preset with one listing per repo and revision master', async () => {
    const out = sink();
    const files = filesForPreset('realistic');
    const env = { MEMELOOM_MODELS_SOURCE: 'modelscope', MODELSCOPE_DOMAIN: f.hub.hubUrl, HF_TOKEN: 'hf_not_for_modelscope' };
    expect(await runModelsPull(['--dir', f.dir], { env, stdout: out.stream, stderr: sink().stream, retryDelayMs: 5 })).toBe(0);
    for (const file of files) expect((await readFile(localPathOf(f.dir, file))).equals(f.hub.body(key(file)))).toBe(true);
    expect(out.text()).toContain(`from ModelScope (${f.hub.hubUrl})`);
    expect(out.text()).not.toContain('HF_TOKEN');

    const origin = f.hub.requests.filter((r) => r.server === 'hub');
    const repos = [...new Set(files.map((file) => file.repo))];
    const listings = origin.filter((r) => r.url.includes('/repo/files?'));
    expect(listings.map((r) => r.url).sort()).toEqual(repos.map((repo) => `/api/v1/models/${repo}/repo/files?Revision=master&Recursive=true`).sort());
    const downloads = origin.filter((r) => r.url.includes('/repo?'));
    expect(downloads).toHaveLength(files.length);
    expect(downloads.every((r) => r.url.includes('Revision=master&FilePath=') && r.method === 'GET')).toBe(true);
    expect(origin.some((r) => r.url.includes('/resolve/'))).toBe(false);
    expect(f.hub.requests.every((r) => r.authorization === undefined)).toBe(true);
    // LFS files come from the object store the API redirects to.
    expect(f.hub.requests.filter((r) => r.server === 'cdn')).toHaveLength(files.filter((file) => /\.(safetensors|onnx|pth)$/.test(file.path)).length);
  });

  it('resumes a cut download with a Range request through the redirect and catches corrupt bodies by sha256', async () => {
    const source = f.source({ MEMELOOM_MODELS_SOURCE: 'modelscope', MODELSCOPE_DOMAIN: f.hub.hubUrl });
    f.hub.cutOnce.add(key(MOTION));
    f.hub.corruptOnce.add(key(MOTION_CONFIG));
    const [motion, config] = await f.pull([MOTION, MOTION_CONFIG], { source });
    expect(motion.networkRetries).toBe(1);
    expect(config.refetches).toBe(1);
    const ranges = f.hub.requests.filter((r) => r.server === 'cdn').map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges[1]).toMatch(/^bytes=[1-9]\d*-$/);
    for (const file of [MOTION, MOTION_CONFIG]) expect((await readFile(localPathOf(f.dir, file))).equals(f.hub.body(key(file)))).toBe(true);
  });

  it('says which file ModelScope does not have', async () => {
    const source = f.source({ MEMELOOM_MODELS_SOURCE: 'modelscope', MODELSCOPE_DOMAIN: f.hub.hubUrl });
    await expect(f.pull([{ ...MOTION, path: 'missing.safetensors' }], { source })).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: 'cannot fetch songkey/hm5_motion/missing.safetensors: not found on ModelScope (check the repo id and MODELSCOPE_DOMAIN)',
    });
  });

  it('is chosen in a MEMELOOM_CONFIG file too, the environment winning', async () => {
    const file = path.join(f.dir, 'memeloom.env');
    await writeFile(file, `MEMELOOM_MODELS_SOURCE=modelscope\nMODELSCOPE_DOMAIN=${f.hub.hubUrl}\n`);
    await runModelsList(['--remote', '--dir', f.dir], { env: { MEMELOOM_CONFIG: file }, stdout: sink().stream });
    expect(f.hub.requests.filter((r) => r.url.startsWith('/api/v1/models/')).length).toBeGreaterThan(0);
    const before = f.hub.requests.length;
    await runModelsList(['--remote', '--dir', f.dir], { env: { MEMELOOM_CONFIG: file, MEMELOOM_MODELS_SOURCE: 'huggingface', HF_ENDPOINT: f.hub.hubUrl }, stdout: sink().stream });
    expect(f.hub.requests.slice(before).every((r) => r.url.includes('/resolve/main/') || r.server === 'cdn')).toBe(true);
  });

  it('is chosen by MEMELOOM_MODELS_SOURCE or --source, defaults to www.modelscope.cn and accepts a bare MODELSCOPE_DOMAIN', () => {
    expect(pullSettingsFrom({ MEMELOOM_MODELS_SOURCE: 'modelscope' })).toMatchObject({ source: 'modelscope', endpoint: 'https://www.modelscope.cn', endpointFromEnv: false });
    expect(pullSettingsFrom({ MODELSCOPE_DOMAIN: 'modelscope.ai' }, 'modelscope').endpoint).toBe('https://modelscope.ai');
    expect(pullSettingsFrom({ MEMELOOM_MODELS_SOURCE: 'modelscope' }, 'huggingface')).toMatchObject({ source: 'huggingface', endpoint: 'https://huggingface.co' });
  });
});
