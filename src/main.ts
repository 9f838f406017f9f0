// Composition root: config → templates → renderer → queue + service → web playground and chat adapters; shutdown.
// Wiring only: no request handling or meme logic lives here.
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { createLogger, type Logger, type MaskRules } from './logger.ts';
import type { ChatAdapter, StartAdapter, StartedAdapter } from './bots/chat-adapter.ts';
import { discordAdapter } from './bots/discord/discord-adapter.ts';
import { type CoreMemeService, createMemeService } from './bots/service.ts';
import type { MemeJobBackend } from './jobs/job-backend.ts';
import type { MemeService, Platform, ReplierFactory } from './bots/service-types.ts';
import { telegramAdapter } from './bots/telegram/telegram-adapter.ts';
import { startWebServer, type WebServer } from './bots/web/web-server.ts';
import type { Config } from './config.ts';
import type { InputInspector } from './pipeline/input-inspector.ts';
import type { Renderer } from './pipeline/meme-spec.ts';
import { loadTemplateCatalog } from './templates/catalog.ts';
import type { TemplateCatalog } from './templates/template-types.ts';

export interface RunningMemeloom {
  /** The playground's address, when it is on. */
  url?: string;
  service: CoreMemeService;
  /** Stops adapters, tells queued users, lets running jobs finish within the grace period, frees the renderer. */
  stop(): Promise<void>;
}

interface MemeloomOptions {
  logger?: Logger;
  /** Injected by tests and benchmarks; otherwise loaded from assets and the pipeline. */
  templates?: TemplateCatalog;
  renderer?: Renderer;
  /** QUEUE_BACKEND=redis: how to re-create a Replier for jobs submitted before a restart, per platform (web, telegram and discord are built in). */
  reattach?: Partial<Record<Platform, ReplierFactory>>;
}

/** The chat front ends, each started when its token is set. */
const ADAPTERS: readonly ChatAdapter[] = [telegramAdapter, discordAdapter];

export async function startMemeloom(config: Config, options: MemeloomOptions = {}): Promise<RunningMemeloom> {
  // Every adapter's secrets are masked everywhere, whether or not that adapter is on.
  const log = (options.logger ?? createLogger({ level: config.logLevel })).masking(mergeMasks(ADAPTERS.map((a) => a.masks(config))));
  await mkdir(config.dataDir, { recursive: true });
  const templates = options.templates ?? (await loadTemplateCatalog());
  // With Redis the bot only takes requests and delivers: workers render, so no pipeline is loaded here.
  const backend = config.redis ? await loadRedisBackend(config, log.child({ component: 'redis' })) : undefined;
  const renderer = backend ? undefined : (options.renderer ?? (await loadRenderer(config, log)));
  if (renderer) log.info('renderer ready', { engines: renderer.engines, auto: renderer.autoChoice?.engine, templates: templates.list().length });
  else log.info('jobs go to memeloom workers through Redis', { instanceId: config.redis?.instanceId, engines: backend?.engines });
  // The checks on arriving photos use the renderer's face model; a Redis bot has none, so it loads its own.
  const inspector = renderer ? undefined : await loadInspector(config);
  const service = createMemeService({ config, renderer, backend, inspector, templates, logger: log.child({ component: 'service' }) });

  let web: WebServer | undefined;
  const adapters: { name: string; stop(): Promise<void> }[] = [];
  // Only QUEUE_BACKEND=redis has jobs from before a restart; the embedded backend resumes none.
  const reattach: Partial<Record<Platform, ReplierFactory>> = {};
  try {
    if (config.web.enabled) {
      web = await startWebServer({ config, service, logger: log.child({ component: 'web' }) });
      log.info('playground listening', { url: web.url });
    }
    for (const adapter of ADAPTERS) {
      if (!adapter.enabled(config)) continue;
      const started = await startAdapter(adapter, config, service, log);
      if (!started) continue;
      adapters.push({ name: adapter.name, stop: started.stop });
      if (started.reattach) reattach[adapter.name] = started.reattach;
    }
    if (web) reattach.web = () => web!.replier;
    const resumed = await service.resume({ ...reattach, ...options.reattach });
    if (resumed > 0) log.info('re-attached to jobs pending from before the restart', { jobs: resumed });
  } catch (error) {
    await web?.close();
    await service.shutdown(0);
    await renderer?.dispose();
    throw error;
  }
  if (adapters.length === 0) {
    log.info('no TELEGRAM_BOT_TOKEN or DISCORD_TOKEN set (or no adapter started): only the web playground is on', { url: web?.url });
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down', { graceMs: config.queue.shutdownGraceMs });
      // Adapters first, so no new chat requests arrive while queued users are being told.
      await Promise.allSettled(adapters.map((a) => a.stop()));
      await service.shutdown(config.queue.shutdownGraceMs);
      await web?.close();
      if (!options.renderer) await renderer?.dispose();
      log.info('stopped');
    })();
    return stopping;
  };
  return { url: web?.url, service, stop };
}

/**
 * Loaded on demand so an injected renderer (tests, benchmarks) never pulls in ONNX Runtime or the face model.
 * Render threads keep the bot's event loop free (updates, heartbeats, /healthz answer within 100 ms while a
 * template is analysed or a photo checked); one per CPU job slot. They read the bundled template catalog.
 */
async function loadRenderer(config: Config, log: Logger): Promise<Renderer> {
  const { createThreadedRenderer } = await import('./pipeline/render-thread/threaded-renderer.ts');
  return createThreadedRenderer({ modelsDir: config.modelsDir, limits: config.limits, device: config.device, threads: config.queue.cpuConcurrency, graphThreads: botGraphThreads(config), log: (line) => log.info(line) });
}

/**
 * The bot renders warp memes in its render threads beside HelloMeme's sessions: unless MEMELOOM_GRAPH_THREADS says
 * otherwise, the sessions take the cores the warp threads leave free (at least one), so a diffusion job on the CPU
 * never starves the memes queued behind it.
 */
export function botGraphThreads(config: Config, cores = availableParallelism()): number {
  return config.graphThreads ?? Math.max(1, cores - config.queue.cpuConcurrency);
}

/** The checks on arriving photos for a bot that renders nothing: a render thread of their own, started with the first photo. */
async function loadInspector(config: Config): Promise<InputInspector> {
  const { createThreadedInspector } = await import('./pipeline/render-thread/threaded-renderer.ts');
  return createThreadedInspector({ limits: config.limits });
}

/** Loaded only when QUEUE_BACKEND=redis, so the default path never imports bullmq or ioredis. */
async function loadRedisBackend(config: Config, log: Logger): Promise<MemeJobBackend> {
  const { createRedisBackend } = await import('./remote/redis-backend.ts');
  return createRedisBackend(config, log);
}

function mergeMasks(rules: readonly MaskRules[]): MaskRules {
  return { secrets: rules.flatMap((r) => r.secrets ?? []), patterns: rules.flatMap((r) => r.patterns ?? []) };
}

async function startAdapter(adapter: ChatAdapter, config: Config, service: MemeService, log: Logger): Promise<StartedAdapter | undefined> {
  const { name } = adapter;
  let start: StartAdapter;
  try {
    start = await adapter.load();
  } catch (error) {
    log.error(`${name} token is set but the ${name} adapter could not be loaded`, { error });
    return undefined;
  }
  try {
    const started = await start(config, service, log);
    log.info(`${name} adapter started`);
    return started;
  } catch (error) {
    // A bad token or an unreachable API must not take the playground and the other platform down with it.
    log.error(`${name} adapter failed to start`, { error });
    return undefined;
  }
}
