// The real bot core for adapter tests: env → Config → renderer → service, as `npm start` builds it, with
// a throwaway data dir and a motion cache shared across test runs. Only the chat platform is faked.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CoreMemeService, createMemeService } from '../../src/bots/service.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { MemeResult, MemeSpec, Renderer } from '../../src/pipeline/meme-spec.ts';
import { createRenderer, type RendererOptions } from '../../src/pipeline/render.ts';
import { loadTemplateCatalog } from '../../src/templates/catalog.ts';
import type { TemplateCatalog } from '../../src/templates/template-types.ts';

export interface RealCore {
  config: Config;
  templates: TemplateCatalog;
  renderer: Renderer;
  /** Every spec the renderer was asked to render, in order (the renderer is real; this only watches). */
  rendered: MemeSpec[];
  /** What it rendered, in the order renders started. */
  results: MemeResult[];
  service: CoreMemeService;
  /** Shuts the service down, disposes the renderer and removes the data dir. */
  close(): Promise<void>;
}

/**
 * `env` adds the platform's variables (tokens, API roots) to a CPU-only warp configuration. `engines.hellomeme`
 * registers an engine (the tiny one) on a GPU lane: run on the CPU when named alone (`auto` stays on warp; a style or
 * engine: hellomeme picks it), or with `engines.probe` saying a GPU provider runs, so `auto` means HelloMeme
 * (tiny-hellomeme.ts).
 */
export async function startRealCore(env: Record<string, string>, engines: Pick<RendererOptions, 'hellomeme' | 'probe'> = {}): Promise<RealCore> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'memeloom-core-'));
  const config = loadConfig({
    MEMELOOM_DATA_DIR: dataDir,
    MEMELOOM_WEB: 'false',
    MEMELOOM_GPU_DEVICES: engines.hellomeme ? '1' : '0',
    MEMELOOM_ENGINE: engines.hellomeme ? 'auto' : 'warp',
    MEMELOOM_CPU_CONCURRENCY: '1',
    ...env,
  });
  const templates = await loadTemplateCatalog();
  // Named alone, the tiny HelloMeme engine runs on the CPU (no GPU is probed): `auto` stays on warp, a style picks it.
  const choice = engines.hellomeme && !engines.probe ? { hellomeme: engines.hellomeme, device: 'cpu' as const } : engines;
  const real = await createRenderer({ templates, limits: config.limits, cacheDir: path.join(tmpdir(), 'memeloom-test-cache'), ...choice });
  const rendered: MemeSpec[] = [];
  const results: MemeResult[] = [];
  const watched: Renderer = Object.assign(Object.create(real) as Renderer, {
    render: async (spec: MemeSpec, options?: Parameters<Renderer['render']>[1]) => {
      rendered.push(spec);
      const result = await real.render(spec, options);
      results.push(result);
      return result;
    },
  });
  const service = createMemeService({ config, renderer: watched, templates });
  return {
    config,
    templates,
    renderer: real,
    rendered,
    results,
    service,
    async close() {
      await service.shutdown(1_000);
      await real.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
