// On-disk cache of compiled graphs keyed by the content hash of (weights, config, builder version, target, dtype,
// LoRAs). Weight hashes are memoised per (path, size, mtime) so a 3.4 GB file is hashed once. No graph code here.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { memeloomCacheDir } from '../cache-dir.ts';
import { processSettings } from '../config.ts';
import { join, resolve } from 'node:path';
import type { GraphBuilder, IoSpec } from './onnx/graph-builder.ts';
import { writeModelExternal } from './onnx/model-writer.ts';

/** Bump when any builder change alters the emitted graph, so old cache entries are not reused. */
const GRAPH_BUILDER_VERSION = 'memeloom-graph-3';

export function defaultCacheDir(): string {
  return processSettings().graphCacheDir ?? memeloomCacheDir('graphs');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of a file, remembered in `<cacheDir>/file-hashes.json` by absolute path, size and mtime. */
export async function cachedFileHash(cacheDir: string, path: string): Promise<string> {
  const abs = resolve(path);
  const st = statSync(abs);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const memoPath = join(cacheDir, 'file-hashes.json');
  const memo: Record<string, { stamp: string; sha256: string }> = existsSync(memoPath) ? JSON.parse(readFileSync(memoPath, 'utf8')) : {};
  if (memo[abs]?.stamp === stamp) return memo[abs].sha256;
  const sha256 = await sha256File(abs);
  memo[abs] = { stamp, sha256 };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(memoPath, JSON.stringify(memo, null, 1));
  return sha256;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => !k.startsWith('_'));
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

interface CacheKeyParts {
  readonly model: string;
  readonly target: string;
  readonly floatType: string;
  readonly config: Record<string, unknown>;
  /** content hashes of every weight file (and LoRA file with its scale) that feeds the graph */
  readonly weightHashes: readonly string[];
}

export function graphCacheKey(parts: CacheKeyParts): string {
  const hash = createHash('sha256');
  hash.update(GRAPH_BUILDER_VERSION);
  hash.update(`\0${parts.model}\0${parts.target}\0${parts.floatType}\0`);
  hash.update(canonical(parts.config));
  for (const h of parts.weightHashes) hash.update(`\0${h}`);
  return hash.digest('hex');
}

export interface CompiledGraph {
  readonly key: string;
  readonly modelPath: string;
  readonly inputs: IoSpec[];
  readonly outputs: IoSpec[];
  /** false when this call compiled it */
  readonly fromCache: boolean;
}

/**
 * Returns the cached graph for `key`, or opens its weights, builds, writes (atomically, via a temp folder) and
 * returns it, closing the weights once written. Models compile through compile-graph.ts, which makes the key.
 */
export async function compileCached(cacheDir: string, name: string, key: string, open: () => Promise<{ graph: GraphBuilder; close(): Promise<void> }>): Promise<CompiledGraph> {
  const dir = join(cacheDir, `${name}-${key.slice(0, 16)}`);
  const ioPath = join(dir, 'io.json');
  if (existsSync(ioPath)) {
    const io = JSON.parse(readFileSync(ioPath, 'utf8')) as { inputs: IoSpec[]; outputs: IoSpec[] };
    return { key, modelPath: join(dir, 'model.onnx'), ...io, fromCache: true };
  }
  const { graph: g, close } = await open();
  const tmp = `${dir}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await writeModelExternal(g, join(tmp, 'model.onnx'));
  } finally {
    await close();
  }
  writeFileSync(join(tmp, 'io.json'), JSON.stringify({ key, builder: GRAPH_BUILDER_VERSION, inputs: g.inputs, outputs: g.outputs }, null, 1));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { key, modelPath: join(dir, 'model.onnx'), inputs: g.inputs, outputs: g.outputs, fromCache: false };
}
