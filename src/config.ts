// The one reader of process.env: every setting, its default and its check, validated at start into a frozen Config.
// Problems are collected and reported together; nothing else in the code reads the environment (the architecture
// test holds every other module to that). The few variables a command reads without a whole Config (`memeloom
// render` must run with a bot token missing or wrong) are read here too, by name: `processSettings`,
// `modelsVariables`.
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const MIB = 1024 * 1024;
/**
 * Warp jobs at once by default: one render thread per core (the bot's own thread only waits on the network), at
 * most 4, since each thread holds its own face models (about 150 MB).
 */
const DEFAULT_CPU_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));

/**
 * What a user may send, in one place: photo bytes and pixels, clip bytes and seconds, caption length. The CLI,
 * the bots, the playground (which shows them) and the pipeline all read these; README "Limits" states them.
 * Clips longer than maxDriverSeconds are trimmed to it (the user is told), never refused.
 */
export interface InputLimits {
  maxPhotoBytes: number;
  /** width x height as the file's header says, checked before any pixel is decoded. */
  maxPhotoPixels: number;
  maxDriverBytes: number;
  maxDriverSeconds: number;
  maxCaptionChars: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxPhotoBytes: 20 * MIB,
  maxPhotoPixels: 50_000_000,
  maxDriverBytes: 50 * MIB,
  maxDriverSeconds: 10,
  maxCaptionChars: 80,
});

/** Flat schema over the variable names, so an error names exactly what to fix. Documented in config.example. */
const ENV_SCHEMA = z.object({
  MEMELOOM_HOST: z.string().default('127.0.0.1'),
  MEMELOOM_PORT: int(0).max(65535).default(8787),
  MEMELOOM_WEB: bool.default(true),
  MEMELOOM_DATA_DIR: z.string().default(path.join(tmpdir(), 'memeloom')),
  MEMELOOM_MODELS_DIR: z.string().optional(),
  MEMELOOM_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  MEMELOOM_ENGINE: z.enum(['auto', 'warp', 'hellomeme']).default('auto'),
  MEMELOOM_DEVICE: z.enum(['auto', 'cpu', 'cuda', 'webgpu']).default('auto'),
  MEMELOOM_PREVIEW_UPGRADE: z.enum(['on', 'off']).default('on'),
  MEMELOOM_CPU_CONCURRENCY: int(1).max(64).default(DEFAULT_CPU_CONCURRENCY),
  MEMELOOM_GPU_DEVICES: int(0).max(64).default(1),
  MEMELOOM_GPU_CONCURRENCY_PER_DEVICE: int(1).max(16).default(1),
  MEMELOOM_GRAPH_THREADS: int(1).max(256).optional(),
  MEMELOOM_MAX_PENDING: int(1).default(100),
  MEMELOOM_MAX_ACTIVE_PER_USER: int(1).default(3),
  MEMELOOM_USER_HOURLY_LIMIT: int(1).default(30),
  MEMELOOM_USER_DAILY_LIMIT: int(1).default(200),
  MEMELOOM_WARP_TIMEOUT_MS: int(1000).default(60_000),
  MEMELOOM_HELLOMEME_TIMEOUT_MS: int(1000).default(900_000),
  MEMELOOM_SHUTDOWN_GRACE_MS: int(0).default(10_000),
  MEMELOOM_MAX_PHOTO_BYTES: int(1024).default(DEFAULT_INPUT_LIMITS.maxPhotoBytes),
  MEMELOOM_MAX_PHOTO_PIXELS: int(4096).default(DEFAULT_INPUT_LIMITS.maxPhotoPixels),
  MEMELOOM_MAX_DRIVER_BYTES: int(1024).default(DEFAULT_INPUT_LIMITS.maxDriverBytes),
  MEMELOOM_MAX_DRIVER_SECONDS: z.coerce.number().positive().max(60).default(DEFAULT_INPUT_LIMITS.maxDriverSeconds),
  MEMELOOM_MAX_CAPTION_CHARS: int(1).max(500).default(DEFAULT_INPUT_LIMITS.maxCaptionChars),
  MEMELOOM_CACHE_MAX_BYTES: int(0).default(256 * MIB),
  MEMELOOM_CACHE_TTL_MS: int(0).default(24 * 3600_000),
  MEMELOOM_PROGRESS_INTERVAL_MS: int(0).default(1000),
  MEMELOOM_UPLOAD_RETENTION_HOURS: z.coerce.number().min(0).default(0),
  QUEUE_BACKEND: z.enum(['local', 'redis']).default('local'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A-Z a-z 0-9 _ - only').default('memeloom'),
  MEMELOOM_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'A-Z a-z 0-9 _ . - only').optional(),
  MEMELOOM_WORKER_LOCK_MS: int(500).default(30_000),
  BLOB_DIR: z.string().optional(),
  BLOB_TTL_HOURS: z.coerce.number().positive().default(24),
  TELEGRAM_BOT_TOKEN: z.string().optional(),
  TELEGRAM_API_ROOT: z.url().optional(),
  TELEGRAM_MEDIA_CHAT_ID: z.coerce.number().int().optional(),
  TELEGRAM_PREVIEW_BASE_URL: z.url().optional(),
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'only A-Z a-z 0-9 _ - (Telegram rule)').optional(),
  WEBHOOK_PORT: int(1).max(65535).default(8443),
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'a numeric snowflake').optional(),
  DISCORD_API_BASE: z.url().optional(),
  DISCORD_GATEWAY_URL: z.url().optional(),
});

type EnvSettings = z.output<typeof ENV_SCHEMA>;
/** Every variable name this module understands (config.example documents each). */
export const CONFIG_KEYS = Object.freeze(Object.keys(ENV_SCHEMA.shape)) as readonly (keyof EnvSettings)[];

export interface Config {
  web: { enabled: boolean; host: string; port: number };
  dataDir: string;
  /** HelloMeme + SD1.5 weights (`memeloom models pull`); undefined: ~/.cache/memeloom/models. */
  modelsDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  engine: 'auto' | 'warp' | 'hellomeme';
  /** Where HelloMeme runs: auto (CUDA, then WebGPU, when one really runs), or a named execution provider. */
  device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  /**
   * Intra-op threads per ONNX session (HelloMeme, its face toolkit); undefined: the process decides (the bot: the
   * cores its render threads leave free; a worker or the CLI: ONNX Runtime's default, one per physical core).
   */
  graphThreads?: number;
  /** Where `auto` means HelloMeme: send the warp result first as a preview and replace it in place (bots/upgrade/). */
  previewUpgrade: boolean;
  queue: {
    cpuConcurrency: number;
    gpuDevices: number;
    gpuConcurrencyPerDevice: number;
    maxPending: number;
    maxActivePerUser: number;
    hourlyLimitPerUser: number;
    dailyLimitPerUser: number;
    warpTimeoutMs: number;
    hellomemeTimeoutMs: number;
    shutdownGraceMs: number;
  };
  limits: InputLimits;
  cache: { maxBytes: number; ttlMs: number };
  progress: { stageIntervalMs: number };
  retention: { uploadHours: number };
  /** QUEUE_BACKEND=redis: jobs go through BullMQ to `memeloom worker` processes (src/remote/). */
  redis?: { url: string; prefix: string; instanceId: string; workerLockMs: number };
  /** Where remote jobs' inputs and results live (a folder every bot and worker process shares). */
  blobs: { dir: string; ttlMs: number };
  telegram: { token?: string; apiRoot?: string; webhookUrl?: string; webhookSecret?: string; webhookPort: number; mediaChatId?: number; previewBaseUrl?: string };
  discord: { token?: string; applicationId?: string; apiBase?: string; gatewayUrl?: string };
}

/** Thrown with every problem at once, one per line, each naming its variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

/** What the process reads of its environment outside the bot's Config, each variable by name. */
export interface ProcessSettings {
  /** MEMELOOM_GRAPH_CACHE: where compiled graphs live instead of ~/.cache/memeloom/graphs. */
  graphCacheDir?: string;
  /** MEMELOOM_MODELS_DIR, for the renderer of a command that loads no Config. */
  modelsDir?: string;
  /** FFMPEG_PATH: the ffmpeg binary to run instead of the bundled one. */
  ffmpegPath?: string;
  /** MEMELOOM_DEBUG: the command line prints a failure's stack as well as its message. */
  debug: boolean;
  /** PATH, handed on to child processes that must find their tools. */
  searchPath: string;
}

export function processSettings(env: Environment = process.env): ProcessSettings {
  const set = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  return {
    graphCacheDir: env.MEMELOOM_GRAPH_CACHE,
    modelsDir: env.MEMELOOM_MODELS_DIR || undefined,
    ffmpegPath: set(env.FFMPEG_PATH),
    debug: Boolean(env.MEMELOOM_DEBUG),
    searchPath: env.PATH ?? '',
  };
}

/** The variables `memeloom models pull/list/build` read; `models/pull-settings.ts` says what each means. */
const MODELS_VARIABLES = [
  'MEMELOOM_CONFIG',
  'MEMELOOM_MODELS_DIR',
  'MEMELOOM_MODELS_SOURCE',
  'MEMELOOM_MODELS_STALL_TIMEOUT_MS',
  'HF_ENDPOINT',
  'HF_TOKEN',
  'MODELSCOPE_DOMAIN',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
] as const;

/** The models commands' variables from the environment (the MEMELOOM_CONFIG file is merged by the caller). */
export function modelsVariables(env: Environment = process.env): Record<string, string | undefined> {
  return Object.fromEntries(MODELS_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
}

/**
 * The environment's one write: ONNX Runtime reads CUDA_VISIBLE_DEVICES when it loads, so a worker pinned to one
 * GPU sets it before the renderer is imported and then sees that GPU as device 0.
 */
export function pinCudaDevice(index: number): void {
  process.env.CUDA_VISIBLE_DEVICES = String(index);
}

/** Parses KEY=VALUE lines (# comments, optional quotes), the format of config.example. */
export function parseConfigFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}

/** Reads MEMELOOM_CONFIG (if set) then the environment (which wins), validates, and freezes. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  let fileValues: Record<string, string> = {};
  if (env.MEMELOOM_CONFIG) {
    try {
      fileValues = parseConfigFile(readFileSync(env.MEMELOOM_CONFIG, 'utf8'));
    } catch (error) {
      problems.push(`MEMELOOM_CONFIG: cannot read ${env.MEMELOOM_CONFIG} (${(error as Error).message})`);
    }
  }
  const merged: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    // An empty value means "unset", so `FOO=` in a file falls back to the default.
    const value = env[key] !== undefined && env[key] !== '' ? env[key] : fileValues[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = ENV_SCHEMA.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (parsed.success) problems.push(...crossChecks(parsed.data));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(toConfig(parsed.data));
}

function crossChecks(s: EnvSettings): string[] {
  const problems: string[] = [];
  if (s.MEMELOOM_USER_DAILY_LIMIT < s.MEMELOOM_USER_HOURLY_LIMIT) {
    problems.push('MEMELOOM_USER_DAILY_LIMIT: must be at least MEMELOOM_USER_HOURLY_LIMIT');
  }
  if (s.QUEUE_BACKEND === 'redis' && !s.REDIS_URL) problems.push('REDIS_URL: required when QUEUE_BACKEND=redis');
  if (s.WEBHOOK_URL && !s.TELEGRAM_BOT_TOKEN) problems.push('WEBHOOK_URL: set without TELEGRAM_BOT_TOKEN');
  if (s.DISCORD_TOKEN && !s.DISCORD_APPLICATION_ID) problems.push('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set');
  return problems;
}

function toConfig(s: EnvSettings): Config {
  return {
    web: { enabled: s.MEMELOOM_WEB, host: s.MEMELOOM_HOST, port: s.MEMELOOM_PORT },
    dataDir: path.resolve(s.MEMELOOM_DATA_DIR),
    modelsDir: s.MEMELOOM_MODELS_DIR ? path.resolve(s.MEMELOOM_MODELS_DIR) : undefined,
    logLevel: s.MEMELOOM_LOG_LEVEL,
    engine: s.MEMELOOM_ENGINE,
    device: s.MEMELOOM_DEVICE,
    graphThreads: s.MEMELOOM_GRAPH_THREADS,
    previewUpgrade: s.MEMELOOM_PREVIEW_UPGRADE === 'on',
    queue: {
      cpuConcurrency: s.MEMELOOM_CPU_CONCURRENCY,
      gpuDevices: s.MEMELOOM_GPU_DEVICES,
      gpuConcurrencyPerDevice: s.MEMELOOM_GPU_CONCURRENCY_PER_DEVICE,
      maxPending: s.MEMELOOM_MAX_PENDING,
      maxActivePerUser: s.MEMELOOM_MAX_ACTIVE_PER_USER,
      hourlyLimitPerUser: s.MEMELOOM_USER_HOURLY_LIMIT,
      dailyLimitPerUser: s.MEMELOOM_USER_DAILY_LIMIT,
      warpTimeoutMs: s.MEMELOOM_WARP_TIMEOUT_MS,
      hellomemeTimeoutMs: s.MEMELOOM_HELLOMEME_TIMEOUT_MS,
      shutdownGraceMs: s.MEMELOOM_SHUTDOWN_GRACE_MS,
    },
    limits: {
      maxPhotoBytes: s.MEMELOOM_MAX_PHOTO_BYTES,
      maxPhotoPixels: s.MEMELOOM_MAX_PHOTO_PIXELS,
      maxDriverBytes: s.MEMELOOM_MAX_DRIVER_BYTES,
      maxDriverSeconds: s.MEMELOOM_MAX_DRIVER_SECONDS,
      maxCaptionChars: s.MEMELOOM_MAX_CAPTION_CHARS,
    },
    cache: { maxBytes: s.MEMELOOM_CACHE_MAX_BYTES, ttlMs: s.MEMELOOM_CACHE_TTL_MS },
    progress: { stageIntervalMs: s.MEMELOOM_PROGRESS_INTERVAL_MS },
    retention: { uploadHours: s.MEMELOOM_UPLOAD_RETENTION_HOURS },
    redis:
      s.QUEUE_BACKEND === 'redis' && s.REDIS_URL
        ? { url: s.REDIS_URL, prefix: s.REDIS_PREFIX, instanceId: s.MEMELOOM_INSTANCE_ID ?? hostname(), workerLockMs: s.MEMELOOM_WORKER_LOCK_MS }
        : undefined,
    blobs: { dir: path.resolve(s.BLOB_DIR ?? path.join(s.MEMELOOM_DATA_DIR, 'blobs')), ttlMs: s.BLOB_TTL_HOURS * 3600_000 },
    telegram: {
      token: s.TELEGRAM_BOT_TOKEN,
      apiRoot: s.TELEGRAM_API_ROOT,
      webhookUrl: s.WEBHOOK_URL,
      webhookSecret: s.WEBHOOK_SECRET,
      webhookPort: s.WEBHOOK_PORT,
      mediaChatId: s.TELEGRAM_MEDIA_CHAT_ID,
      previewBaseUrl: s.TELEGRAM_PREVIEW_BASE_URL,
    },
    discord: {
      token: s.DISCORD_TOKEN,
      applicationId: s.DISCORD_APPLICATION_ID,
      apiBase: s.DISCORD_API_BASE,
      gatewayUrl: s.DISCORD_GATEWAY_URL,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
