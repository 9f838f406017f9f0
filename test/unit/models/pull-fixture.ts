// Per-test setup for `models pull` tests: a fake hub holding every file of the realistic preset, a temporary
// models directory, and pullModels bound to them (sources opened here are closed after the test).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type HubFile, filesForPreset } from '../../../src/models/model-files.ts';
import type { ModelSource } from '../../../src/models/model-source.ts';
import { type PullOptions, pullModels } from '../../../src/models/pull-models.ts';
import { openModelSource, pullSettingsFrom } from '../../../src/models/pull-settings.ts';
import { FakeHub } from './fake-hub.ts';

export const MOTION: HubFile = { repo: 'songkey/hm5_motion', path: 'diffusion_pytorch_model.safetensors', role: 'motion adapter' };
export const MOTION_CONFIG: HubFile = { repo: 'songkey/hm5_motion', path: 'config.json', role: 'motion adapter' };
export const key = (f: HubFile) => `${f.repo}/${f.path}`;

export interface PullFixture {
  hub: FakeHub;
  dir: string;
  /** A source for `env` (HF_ENDPOINT defaults to the fake hub), closed after the test. */
  source(env?: Record<string, string>): ModelSource;
  pull(files: HubFile[], extra?: Partial<PullOptions>): ReturnType<typeof pullModels>;
}

export function usePullFixture(): PullFixture {
  const opened: ModelSource[] = [];
  const fixture = {
    hub: new FakeHub(),
    dir: '',
    source(env: Record<string, string> = {}) {
      const source = openModelSource(pullSettingsFrom({ HF_ENDPOINT: fixture.hub.hubUrl, ...env }));
      opened.push(source);
      return source;
    },
    pull(files: HubFile[], extra: Partial<PullOptions> = {}) {
      return pullModels({ modelsDir: fixture.dir, files, source: extra.source ?? fixture.source(), retryDelayMs: 5, ...extra });
    },
  };
  beforeEach(async () => {
    fixture.hub = new FakeHub();
    for (const file of filesForPreset('realistic')) fixture.hub.add(file.repo, file.path);
    await fixture.hub.start();
    fixture.dir = await mkdtemp(path.join(tmpdir(), 'memeloom-models-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await fixture.hub.stop();
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
